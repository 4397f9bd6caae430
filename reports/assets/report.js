// ohlin report: builds the page from the result folder's data (the JSON in #ohlin-data, written
// by `ohlin report`). Every chart is a Vega spec drawn as SVG, with a title, axis titles with
// units, a colour-blind-safe palette (Okabe-Ito; blue-orange diverging) and a table of its
// numbers. When done, the page writes into <pre id="ohlin-probe"> what it drew (marks per chart,
// the numbers of each table as shown, errors): the browser test and `--svg` read it back.
(function () {
  'use strict';

  var DATA = JSON.parse(document.getElementById('ohlin-data').textContent);
  var EXPORT_SVG = /[?&]svg\b/.test(location.search);
  var TOP_BARS = 20;       // bars per chart at most: the largest gains and losses
  var TOP_ROWS = 30;       // rows of a heat map at most
  var COMPARE_REGIONS = 12;  // regions in the charts of a comparison
  var OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442',
                   '#000000', '#999999'];
  var GAIN = '#0072B2';    // Okabe-Ito blue
  var LOSS = '#D55E00';    // Okabe-Ito vermillion
  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  var charts = [];
  var main = document.getElementById('report');
  var summary = DATA.summary || {};
  var units = summary.units || (DATA.data_set && DATA.data_set.units) || 'benchmark currency units';

  // ---- small helpers -------------------------------------------------------------------------

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) {
      if (key === 'text') node.textContent = attributes[key];
      else node.setAttribute(key, attributes[key]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function isNumber(value) { return typeof value === 'number' && isFinite(value); }
  function fixed(digits) {
    return function (value) { return isNumber(value) ? value.toFixed(digits) : ''; };
  }
  var pct = fixed(3);        // percent changes: 3 decimals, as the terminal summary
  var index = fixed(4);      // Gini and Theil
  var share = fixed(1);      // shares of population, %
  function money(value) {
    var decimals = Math.abs(value) >= 100 ? 1 : 3;
    return isNumber(value)
        ? value.toLocaleString('en-US', {minimumFractionDigits: decimals,
                                         maximumFractionDigits: decimals})
        : '';
  }
  function plain(value) {
    if (value === null || value === undefined) return '';
    if (!isNumber(value)) return String(value);
    return Math.abs(value) >= 1e-3 || value === 0 ? String(Number(value.toPrecision(7)))
                                                    : value.toExponential(3);
  }

  // Rows of a table as objects keyed by column.
  function records(table) {
    if (!table) return [];
    return table.rows.map(function (row) {
      var record = {};
      table.columns.forEach(function (column, c) { record[column] = row[c]; });
      return record;
    });
  }

  function sortedBy(rows, key, descending) {
    return rows.slice().sort(function (a, b) {
      var x = key(a), y = key(b);
      return descending ? y - x : x - y;
    });
  }

  // At most `limit` of rows (sorted by value, descending): those of the largest magnitude,
  // in the same order.
  function largest(sortedRows, limit, value) {
    if (sortedRows.length <= limit) return sortedRows;
    var kept = sortedBy(sortedRows, function (r) { return Math.abs(value(r)); }, true)
        .slice(0, limit);
    return sortedRows.filter(function (r) { return kept.indexOf(r) >= 0; });
  }

  function largestNote(shown, all, what) {
    return shown < all ? 'The ' + shown + ' of ' + all + ' ' + what + ' with the largest ' +
                         'magnitude; the table lists all.' : '';
  }

  // A d3 format for values of this size: about three significant digits for the largest.
  function formatFor(values) {
    var top = Math.max.apply(null, values.map(function (v) { return Math.abs(v.value); }).concat([1e-12]));
    var decimals = Math.max(0, Math.min(4, 2 - Math.floor(Math.log10(top))));
    return "format(datum.value, ',." + decimals + "f')";
  }

  // ---- page structure ------------------------------------------------------------------------

  function section(title, intro) {
    var node = el('section', {}, [el('h2', {text: title})]);
    if (intro) node.appendChild(el('p', {class: 'intro', text: intro}));
    main.appendChild(node);
    return node;
  }

  function htmlTable(columns, rows) {
    var head = el('tr', {}, columns.map(function (column) {
      return el('th', {text: column.title, class: column.format ? 'num' : ''});
    }));
    var body = rows.map(function (row) {
      return el('tr', {}, columns.map(function (column) {
        var value = column.get(row);
        var text = column.format ? column.format(value) : (value === null ? '' : String(value));
        return el('td', {text: text, class: column.format ? 'num' : ''});
      }));
    });
    return el('table', {}, [el('thead', {}, [head]), el('tbody', {}, body)]);
  }

  // A chart: title, the Vega view, a note (what is left out), the table of its numbers.
  // `items` is how many data items the chart's main marks draw.
  function addChart(parent, chart) {
    var id = 'chart-' + chart.id;
    var container = el('div', {class: 'chart', id: id});
    var figure = el('figure', {}, [el('h3', {text: chart.title}), container]);
    if (chart.note) figure.appendChild(el('p', {class: 'note', text: chart.note}));
    var tableNode = htmlTable(chart.columns, chart.rows);
    var details = el('details', {}, [el('summary', {text: 'Table: ' + chart.tableTitle}), tableNode]);
    if (chart.openTable) details.setAttribute('open', '');
    figure.appendChild(details);
    parent.appendChild(figure);
    // A chart written as an SVG file (--svg) carries its title; on the page the heading does.
    if (EXPORT_SVG) chart.spec.title = {text: chart.title, anchor: 'start', fontSize: 14};
    chart.spec.description = chart.title;  // the SVG's aria-label, for screen readers
    chart.spec.autosize = {type: 'pad'};
    chart.spec.padding = 5;
    chart.spec.config = {
      text: {font: FONT}, axis: {labelFont: FONT, titleFont: FONT, labelFontSize: 11,
                                 titleFontSize: 12, labelLimit: 160},
      legend: {labelFont: FONT, titleFont: FONT, labelFontSize: 11, titleFontSize: 12},
      title: {font: FONT}
    };
    var view = new vega.View(vega.parse(chart.spec), {renderer: 'svg', container: container,
                                                      hover: false});
    charts.push({id: chart.id, title: chart.title, items: chart.items, view: view,
                 container: container, table: tableNode, drawn: chart.drawn});
  }

  // ---- Vega specs ----------------------------------------------------------------------------

  // Horizontal bars, one per row in the given order; blue for gains, vermillion for losses,
  // the value printed at the bar's end.
  function barSpec(values, axisTitle, format, colour) {
    var height = Math.max(60, values.length * 22);
    // Room beyond the longest bars for their printed values.
    var low = Math.min.apply(null, values.map(function (v) { return v.value; }).concat([0]));
    var high = Math.max.apply(null, values.map(function (v) { return v.value; }).concat([0]));
    var room = 0.18 * ((high - low) || 1);
    var fill = colour ? "'" + colour + "'"
                      : "datum.value < 0 ? '" + LOSS + "' : '" + GAIN + "'";
    return {
      width: 520, height: height,
      data: [{name: 'bars', values: values}],
      scales: [
        {name: 'y', type: 'band', domain: {data: 'bars', field: 'label'}, range: 'height',
         padding: 0.2},
        {name: 'x', type: 'linear', domain: [low < 0 ? low - room : 0, high > 0 ? high + room : 0],
         range: 'width', nice: true, zero: true}
      ],
      axes: [
        {orient: 'bottom', scale: 'x', title: axisTitle, grid: true, gridOpacity: 0.3},
        {orient: 'left', scale: 'y', title: null}
      ],
      marks: [
        {type: 'rect', from: {data: 'bars'}, encode: {enter: {
          y: {scale: 'y', field: 'label'}, height: {scale: 'y', band: 1},
          x: {scale: 'x', field: 'value'}, x2: {scale: 'x', value: 0},
          fill: {signal: fill}}}},
        {type: 'text', from: {data: 'bars'}, encode: {enter: {
          y: {scale: 'y', field: 'label', band: 0.5}, x: {scale: 'x', field: 'value'},
          dx: {signal: 'datum.value < 0 ? -3 : 3'},
          align: {signal: "datum.value < 0 ? 'right' : 'left'"}, baseline: {value: 'middle'},
          text: {signal: format}, fontSize: {value: 10}, fill: {value: '#333'}}}}
      ]
    };
  }

  // A heat map of rows x columns, diverging around 0 (blue-orange, colour-blind safe), the
  // value printed in each cell.
  function heatSpec(values, rows, columns, legendTitle, format) {
    var extent = values.reduce(function (m, v) { return Math.max(m, Math.abs(v.value)); }, 0) || 1;
    return {
      width: Math.max(160, columns.length * 90), height: Math.max(40, rows.length * 22),
      data: [{name: 'cells', values: values}],
      scales: [
        {name: 'x', type: 'band', domain: columns, range: 'width', padding: 0.05},
        {name: 'y', type: 'band', domain: rows, range: 'height', padding: 0.05},
        {name: 'colour', type: 'linear', domain: [-extent, 0, extent],
         range: ['#b35806', '#f7f7f7', '#2166ac'], interpolate: 'lab'}
      ],
      axes: [
        {orient: 'top', scale: 'x', title: null, domain: false, ticks: false},
        {orient: 'left', scale: 'y', title: null, domain: false, ticks: false}
      ],
      legends: [{fill: 'colour', title: legendTitle, direction: 'vertical', gradientLength: 140,
                 format: '.2f'}],
      marks: [
        {type: 'rect', from: {data: 'cells'}, encode: {enter: {
          x: {scale: 'x', field: 'column'}, width: {scale: 'x', band: 1},
          y: {scale: 'y', field: 'row'}, height: {scale: 'y', band: 1},
          fill: {scale: 'colour', field: 'value'}}}},
        {type: 'text', from: {data: 'cells'}, encode: {enter: {
          x: {scale: 'x', field: 'column', band: 0.5}, y: {scale: 'y', field: 'row', band: 0.5},
          align: {value: 'center'}, baseline: {value: 'middle'}, fontSize: {value: 10},
          text: {signal: format},
          fill: {signal: 'abs(datum.value) > ' + (0.6 * extent) + " ? 'white' : '#222'"}}}}
      ]
    };
  }

  // Stacked horizontal bars (positive and negative parts stacked apart from zero), one colour
  // per part, and a black tick with a dot at each row's total.
  function stackSpec(values, totals, rows, parts, axisTitle) {
    return {
      width: 520, height: Math.max(60, rows.length * 24),
      data: [
        {name: 'parts', values: values,
         transform: [{type: 'stack', groupby: ['row'], field: 'value', sort: {field: 'order'}}]},
        {name: 'totals', values: totals}
      ],
      scales: [
        {name: 'y', type: 'band', domain: rows, range: 'height', padding: 0.2},
        {name: 'x', type: 'linear', domain: {fields: [{data: 'parts', field: 'y0'},
                                                      {data: 'parts', field: 'y1'},
                                                      {data: 'totals', field: 'value'}]},
         range: 'width', nice: true, zero: true},
        {name: 'colour', type: 'ordinal', domain: parts, range: OKABE_ITO}
      ],
      axes: [
        {orient: 'bottom', scale: 'x', title: axisTitle, grid: true, gridOpacity: 0.3},
        {orient: 'left', scale: 'y', title: null}
      ],
      legends: [{fill: 'colour', title: 'part of the EV', symbolType: 'square'}],
      marks: [
        {type: 'rect', from: {data: 'parts'}, encode: {enter: {
          y: {scale: 'y', field: 'row'}, height: {scale: 'y', band: 1},
          x: {scale: 'x', field: 'y0'}, x2: {scale: 'x', field: 'y1'},
          fill: {scale: 'colour', field: 'part'}, stroke: {value: 'white'},
          strokeWidth: {value: 0.5}}}},
        {type: 'symbol', from: {data: 'totals'}, encode: {enter: {
          y: {scale: 'y', field: 'row', band: 0.5}, x: {scale: 'x', field: 'value'},
          shape: {value: 'diamond'}, size: {value: 70}, fill: {value: 'black'},
          stroke: {value: 'white'}}}}
      ]
    };
  }

  // Dots per row and series (colour by series), an optional grey tick at a base value per row.
  function dotSpec(values, rows, series, axisTitle, bases) {
    return {
      width: 520, height: Math.max(60, rows.length * 22),
      data: [{name: 'dots', values: values}, {name: 'bases', values: bases || []}],
      scales: [
        {name: 'y', type: 'band', domain: rows, range: 'height', padding: 0.2},
        {name: 'x', type: 'linear', domain: {fields: [{data: 'dots', field: 'value'},
                                                      {data: 'bases', field: 'value'}]},
         range: 'width', nice: true, zero: false},
        {name: 'colour', type: 'ordinal', domain: series, range: OKABE_ITO}
      ],
      axes: [
        {orient: 'bottom', scale: 'x', title: axisTitle, grid: true, gridOpacity: 0.3},
        {orient: 'left', scale: 'y', title: null}
      ],
      legends: [{fill: 'colour', title: null, symbolType: 'circle'}],
      marks: [
        {type: 'rect', from: {data: 'bases'}, encode: {enter: {
          y: {scale: 'y', field: 'row'}, height: {scale: 'y', band: 1},
          xc: {scale: 'x', field: 'value'}, width: {value: 2}, fill: {value: '#666'}}}},
        {type: 'symbol', from: {data: 'dots'}, encode: {enter: {
          y: {scale: 'y', field: 'row', band: 0.5}, x: {scale: 'x', field: 'value'},
          size: {value: 60}, fill: {scale: 'colour', field: 'series'}, fillOpacity: {value: 0.9},
          stroke: {value: 'white'}}}}
      ]
    };
  }

  // Grouped horizontal bars: per row, one bar per series.
  function groupedSpec(values, rows, series, axisTitle) {
    return {
      width: 520, height: Math.max(60, rows.length * (10 * series.length + 8)),
      data: [{name: 'bars', values: values}],
      scales: [
        {name: 'y', type: 'band', domain: rows, range: 'height', padding: 0.15},
        {name: 'x', type: 'linear', domain: {data: 'bars', field: 'value'}, range: 'width',
         nice: true, zero: true},
        {name: 'colour', type: 'ordinal', domain: series, range: OKABE_ITO}
      ],
      axes: [
        {orient: 'bottom', scale: 'x', title: axisTitle, grid: true, gridOpacity: 0.3},
        {orient: 'left', scale: 'y', title: null}
      ],
      legends: [{fill: 'colour', title: null, symbolType: 'square'}],
      marks: [{
        type: 'group',
        from: {facet: {data: 'bars', name: 'row_bars', groupby: 'row'}},
        encode: {enter: {y: {scale: 'y', field: 'row'}, height: {scale: 'y', band: 1},
                         width: {signal: 'width'}}},
        signals: [{name: 'row_height', update: 'bandwidth("y")'}],
        scales: [{name: 'inner', type: 'band', domain: series, range: {signal: '[0, row_height]'}}],
        marks: [{type: 'rect', from: {data: 'row_bars'}, encode: {enter: {
          y: {scale: 'inner', field: 'series'}, height: {scale: 'inner', band: 1},
          x: {scale: 'x', field: 'value'}, x2: {scale: 'x', value: 0},
          fill: {scale: 'colour', field: 'series'}}}}]
      }]
    };
  }

  // Lines with dots: y against x, one colour per series.
  function lineSpec(values, series, xTitle, yTitle) {
    return {
      width: 520, height: 300,
      data: [{name: 'points', values: values}],
      scales: [
        {name: 'x', type: 'linear', domain: {data: 'points', field: 'x'}, range: 'width',
         nice: true, zero: false},
        {name: 'y', type: 'linear', domain: {data: 'points', field: 'value'}, range: 'height',
         nice: true, zero: true},
        {name: 'colour', type: 'ordinal', domain: series, range: OKABE_ITO}
      ],
      axes: [
        {orient: 'bottom', scale: 'x', title: xTitle, grid: true, gridOpacity: 0.3},
        {orient: 'left', scale: 'y', title: yTitle, grid: true, gridOpacity: 0.3}
      ],
      legends: [{stroke: 'colour', title: null, symbolType: 'stroke'}],
      marks: [{
        type: 'group',
        from: {facet: {data: 'points', name: 'one_series', groupby: 'series'}},
        marks: [
          {type: 'line', from: {data: 'one_series'}, sort: {field: 'datum.x'},
           encode: {enter: {x: {scale: 'x', field: 'x'}, y: {scale: 'y', field: 'value'},
                            stroke: {scale: 'colour', field: 'series'}, strokeWidth: {value: 2}}}},
          {type: 'symbol', from: {data: 'one_series'},
           encode: {enter: {x: {scale: 'x', field: 'x'}, y: {scale: 'y', field: 'value'},
                            fill: {scale: 'colour', field: 'series'}, size: {value: 30}}}}
        ]
      }]
    };
  }

  // Per row a bar from low to high and a dot at the mean.
  function rangeSpec(values, rows, axisTitle) {
    return {
      width: 520, height: Math.max(60, rows.length * 22),
      data: [{name: 'ranges', values: values}],
      scales: [
        {name: 'y', type: 'band', domain: rows, range: 'height', padding: 0.3},
        {name: 'x', type: 'linear', domain: {fields: [{data: 'ranges', field: 'low'},
                                                      {data: 'ranges', field: 'high'}]},
         range: 'width', nice: true, zero: true}
      ],
      axes: [
        {orient: 'bottom', scale: 'x', title: axisTitle, grid: true, gridOpacity: 0.3},
        {orient: 'left', scale: 'y', title: null}
      ],
      marks: [
        {type: 'rect', from: {data: 'ranges'}, encode: {enter: {
          y: {scale: 'y', field: 'row'}, height: {scale: 'y', band: 1},
          x: {scale: 'x', field: 'low'}, x2: {scale: 'x', field: 'high'},
          fill: {value: '#56B4E9'}, fillOpacity: {value: 0.6}}}},
        {type: 'symbol', from: {data: 'ranges'}, encode: {enter: {
          y: {scale: 'y', field: 'row', band: 0.5}, x: {scale: 'x', field: 'value'},
          size: {value: 50}, fill: {value: '#0072B2'}, stroke: {value: 'white'}}}}
      ]
    };
  }

  // ---- sections of a solve -------------------------------------------------------------------

  function header() {
    var folder = DATA.dir.replace(/\/+$/, '').split('/').pop();
    var title = summary.scenario ||
        (DATA.kind === 'compare' ? 'Redistribution rules compared: ' + folder : folder);
    main.appendChild(el('h1', {text: title}));
    var kind = {solve: summary.game ? 'ohlin game' : 'ohlin solve', compare: 'ohlin compare',
                sweep: 'ohlin sweep', sensitivity: 'ohlin sensitivity',
                tables: 'ohlin'}[DATA.kind];
    main.appendChild(el('p', {class: 'subtitle',
                              text: 'Results of ' + kind + ' in ' + DATA.dir}));
  }

  function headline(welfare) {
    var byRegion = {};
    welfare.forEach(function (row) {
      var entry = byRegion[row.region] || (byRegion[row.region] = {region: row.region, ev: 0,
                                                                     income: 0, population: 0,
                                                                     losing: 0});
      entry.ev += row.ev;
      if (row.household !== 'government') entry.income += row.income_base;
      entry.population += row.population;
      if (isNumber(row.ev_pct) && row.ev_pct < 0) entry.losing += row.population;
    });
    var regions = Object.keys(byRegion).map(function (k) {
      var e = byRegion[k];
      e.ev_pct = 100 * e.ev / e.income;
      return e;
    });
    var worldEv = regions.reduce(function (s, r) { return s + r.ev; }, 0);
    var worldIncome = regions.reduce(function (s, r) { return s + r.income; }, 0);
    var people = regions.reduce(function (s, r) { return s + r.population; }, 0);
    var losing = regions.reduce(function (s, r) { return s + r.losing; }, 0);
    var sorted = sortedBy(regions, function (r) { return r.ev_pct; }, true);
    var losers = regions.filter(function (r) { return r.ev < 0; }).length;
    var cards = [
      ['World EV', money(worldEv), units + '; ' + pct(100 * worldEv / worldIncome) +
       '% of world benchmark income'],
      ['Regions that lose', losers + ' of ' + regions.length, 'EV below zero'],
      ['Largest gain', sorted[0].region + ' ' + pct(sorted[0].ev_pct) + '%', 'EV, % of income'],
      ['Largest loss', sorted[sorted.length - 1].region + ' ' +
       pct(sorted[sorted.length - 1].ev_pct) + '%', 'EV, % of income'],
      ['People in households that lose', share(100 * losing / people) + '%',
       'of the population of all regions']
    ];
    main.appendChild(el('div', {class: 'cards', id: 'headline'}, cards.map(function (card) {
      return el('div', {class: 'card'}, [el('div', {class: 'card-label', text: card[0]}),
                                          el('div', {class: 'card-value', text: card[1]}),
                                          el('div', {class: 'card-note', text: card[2]})]);
    })));
    return regions;
  }

  // One line under the title: the data set and whether the solve converged.
  function statusLine() {
    var data = DATA.data_set || {};
    var parts = [
      'Data: ' + ([data.name, data.year].filter(Boolean).join(', ') || summary.data || 'unknown'),
      summary.status + ' in ' + summary.iterations + ' iterations, largest scaled residual ' +
          (isNumber(summary.max_residual) ? summary.max_residual.toExponential(1) : '?'),
      'redistribution: ' + summary.redistribution,
      'values in ' + units
    ];
    main.appendChild(el('p', {class: 'status', id: 'status-line'}, [parts.join(' · ') + ' · ',
        el('a', {href: '#run-details', text: 'scenario, data and solve'})]));
  }

  function runDetails() {
    var node = section('Scenario, data and solve');
    var data = DATA.data_set || {};
    var rows = [
      ['Scenario', summary.scenario],
      ['Scenario file', DATA.scenario_path || summary.scenario_file],
      ['Data set', [data.name, data.year].filter(Boolean).join(', ') || summary.data],
      ['Data file', data.path || summary.data],
      ['Source', data.source],
      ['Units', units],
      ['Status', summary.status + (summary.message ? ': ' + summary.message : '')],
      ['Method', summary.method],
      ['Iterations', summary.iterations],
      ['Largest scaled residual', plain(summary.max_residual)],
      ['Walras residual', plain(summary.walras_residual) +
       (summary.walras_equation ? ' (' + summary.walras_equation + ')' : '')],
      ['Numeraire', summary.numeraire],
      ['Redistribution rule', summary.redistribution],
      ['EV decomposition', summary.decomposition],
      ['Unknowns', summary.unknowns],
      ['ohlin version', summary.ohlin_version]
    ].filter(function (row) { return row[1] !== undefined && row[1] !== null && row[1] !== ''; });
    node.appendChild(el('table', {class: 'meta', id: 'run-details'}, rows.map(function (row) {
      return el('tr', {}, [el('th', {text: row[0]}), el('td', {text: String(row[1])})]);
    })));
    if (DATA.scenario_text) {
      node.appendChild(el('details', {}, [el('summary', {text: 'The scenario as written'}),
                                          el('pre', {class: 'scenario', text: DATA.scenario_text})]));
    }
  }

  function welfareSection(welfare, regions) {
    var node = section('Who wins and who loses',
        'Equivalent variation (EV): the change in income at benchmark prices worth as much as ' +
        'the policy. EV% is in percent of benchmark income. Regions sorted from the largest gain.');
    var sorted = sortedBy(regions, function (r) { return r.ev_pct; }, true);
    var shown = largest(sorted, TOP_BARS, function (r) { return r.ev_pct; });
    var note = largestNote(shown.length, sorted.length, 'regions');
    var regionColumns = [
      {title: 'region', get: function (r) { return r.region; }},
      {title: 'EV %', get: function (r) { return r.ev_pct; }, format: pct},
      {title: 'EV (' + units + ')', get: function (r) { return r.ev; }, format: money}
    ];
    addChart(node, {
      id: 'ev-pct-by-region', title: 'EV by region, % of benchmark income', note: note,
      spec: barSpec(shown.map(function (r) { return {label: r.region, value: r.ev_pct}; }),
                    'EV, % of benchmark income', "format(datum.value, '.3f')"),
      items: shown.length, columns: regionColumns, rows: sorted, tableTitle: 'EV by region',
      drawn: shown.map(function (r) { return [r.region, r.ev_pct]; })
    });
    var byMoney = sortedBy(regions, function (r) { return r.ev; }, true);
    var shownMoney = largest(byMoney, TOP_BARS, function (r) { return r.ev; });
    var moneyBars = shownMoney.map(function (r) { return {label: r.region, value: r.ev}; });
    addChart(node, {
      id: 'ev-by-region', title: 'EV by region, ' + units,
      note: largestNote(shownMoney.length, byMoney.length, 'regions'),
      spec: barSpec(moneyBars, 'EV, ' + units, formatFor(moneyBars)),
      items: shownMoney.length, columns: regionColumns, rows: byMoney,
      tableTitle: 'EV by region', drawn: shownMoney.map(function (r) { return [r.region, r.ev]; })
    });
    var households = [];
    welfare.forEach(function (row) {
      if (households.indexOf(row.household) < 0 && row.household !== 'government') {
        households.push(row.household);
      }
    });
    var heatRegions = sortedBy(regions, function (r) { return Math.abs(r.ev_pct); }, true)
        .slice(0, TOP_ROWS);
    var heatOrder = sortedBy(heatRegions, function (r) { return r.ev_pct; }, true)
        .map(function (r) { return r.region; });
    var cells = welfare.filter(function (row) {
      return heatOrder.indexOf(row.region) >= 0 && row.household !== 'government' &&
             isNumber(row.ev_pct);
    }).map(function (row) { return {row: row.region, column: row.household, value: row.ev_pct}; });
    addChart(node, {
      id: 'ev-pct-by-household', title: 'EV by household group, % of benchmark income',
      note: heatOrder.length < regions.length ? 'The ' + TOP_ROWS + ' regions with the largest ' +
            '|EV %|; the table lists all.' : '',
      spec: heatSpec(cells, heatOrder, households, 'EV %', "format(datum.value, '.3f')"),
      items: cells.length,
      columns: [
        {title: 'region', get: function (r) { return r.region; }},
        {title: 'household', get: function (r) { return r.household; }},
        {title: 'population', get: function (r) { return r.population; }, format: plain},
        {title: 'income before (' + units + ')', get: function (r) { return r.income_base; },
         format: money},
        {title: 'EV (' + units + ')', get: function (r) { return r.ev; }, format: money},
        {title: 'EV %', get: function (r) { return r.ev_pct; }, format: pct}
      ],
      rows: welfare, tableTitle: 'welfare.csv',
      drawn: cells.map(function (c) { return [c.row + '/' + c.column, c.value]; })
    });
  }

  function factorSection(factors, regionOrder) {
    var node = section('Real factor returns',
        'The change in each factor\'s price deflated by the region\'s consumer price index ' +
        '(Stolper-Samuelson): who gains among workers, capital and land owners.');
    var names = [];
    factors.forEach(function (row) { if (names.indexOf(row.factor) < 0) names.push(row.factor); });
    var rows = regionOrder.slice(0, TOP_ROWS);
    var cells = factors.filter(function (row) { return rows.indexOf(row.region) >= 0; })
        .map(function (row) { return {row: row.region, column: row.factor, value: row.real_price_pct}; });
    addChart(node, {
      id: 'real-factor-returns', title: 'Real factor returns, % change',
      note: rows.length < regionOrder.length ? 'The ' + TOP_ROWS + ' regions with the largest ' +
            '|EV %|; the table lists all.' : 'Regions in the order of their EV %.',
      spec: heatSpec(cells, rows, names, 'real return, % change', "format(datum.value, '.3f')"),
      items: cells.length,
      columns: [
        {title: 'region', get: function (r) { return r.region; }},
        {title: 'factor', get: function (r) { return r.factor; }},
        {title: 'nominal price % (numeraire units)', get: function (r) { return r.price_pct; },
         format: pct},
        {title: 'real return %', get: function (r) { return r.real_price_pct; }, format: pct}
      ],
      rows: factors, tableTitle: 'factors.csv',
      drawn: cells.map(function (c) { return [c.row + '/' + c.column, c.value]; })
    });
  }

  function sectorSection(sectors, trade) {
    var node = section('Sectors and trade',
        'The largest changes of output, producer price and bilateral trade; each table lists ' +
        'every row.');
    var sectorColumns = [
      {title: 'region', get: function (r) { return r.region; }},
      {title: 'sector', get: function (r) { return r.sector; }},
      {title: 'output %', get: function (r) { return r.output_pct; }, format: pct},
      {title: 'price % (numeraire units)', get: function (r) { return r.price_pct; }, format: pct},
      {title: 'exports %', get: function (r) { return r.exports_pct; }, format: pct},
      {title: 'imports %', get: function (r) { return r.imports_pct; }, format: pct}
    ];
    [['output_pct', 'output', 'Largest output changes', 'output, % change'],
     ['price_pct', 'price', 'Largest producer price changes',
      'producer price, % change (numeraire units)']].forEach(function (what) {
      var key = what[0];
      var valid = sectors.filter(function (r) { return isNumber(r[key]); });
      var byMagnitude = sortedBy(valid, function (r) { return Math.abs(r[key]); }, true);
      var shown = sortedBy(byMagnitude.slice(0, 15), function (r) { return r[key]; }, true);
      addChart(node, {
        id: 'largest-' + what[1] + '-changes', title: what[2] + ' (region, sector)',
        note: 'The ' + shown.length + ' largest of ' + valid.length + ' region-sector pairs.',
        spec: barSpec(shown.map(function (r) { return {label: r.region + ' ' + r.sector,
                                                       value: r[key]}; }),
                      what[3], "format(datum.value, '.3f')"),
        items: shown.length, columns: sectorColumns, rows: byMagnitude,
        tableTitle: 'sectors.csv, largest ' + what[1] + ' changes first',
        drawn: shown.map(function (r) { return [r.region + '/' + r.sector, r[key]]; })
      });
    });
    var flows = trade.map(function (r) {
      var copy = Object.assign({}, r);
      copy.change = r.value_new - r.value_base;
      return copy;
    });
    var shownFlows = sortedBy(flows.slice(0, 15), function (r) { return r.change; }, true);
    var flowBars = shownFlows.map(function (r) {
      return {label: r.exporter + '→' + r.importer + ' ' + r.sector, value: r.change};
    });
    addChart(node, {
      id: 'largest-trade-changes', title: 'Largest changes of bilateral trade (exporter → importer, sector)',
      note: 'The ' + shownFlows.length + ' largest changes in value of ' +
            (DATA.tables.trade.rows_in_file || flows.length) + ' cross-border flows; the table ' +
            'lists the ' + flows.length + ' largest (trade.csv has all).',
      spec: barSpec(flowBars, 'change in value, ' + units + ' (numeraire units)',
                    formatFor(flowBars)),
      items: shownFlows.length,
      columns: [
        {title: 'exporter', get: function (r) { return r.exporter; }},
        {title: 'importer', get: function (r) { return r.importer; }},
        {title: 'sector', get: function (r) { return r.sector; }},
        {title: 'value before', get: function (r) { return r.value_base; }, format: money},
        {title: 'value after', get: function (r) { return r.value_new; }, format: money},
        {title: 'change %', get: function (r) { return r.pct; }, format: pct}
      ],
      rows: flows, tableTitle: 'largest trade changes (trade.csv)',
      drawn: shownFlows.map(function (r) { return [r.exporter + '/' + r.importer + '/' + r.sector,
                                                   r.change]; })
    });
  }

  var PART_LABELS = {
    terms_of_trade: 'terms of trade', tariffs: 'tariffs (efficiency)',
    export_taxes: 'export taxes', factor_taxes: 'factor taxes', ntb_rents: 'NTB rents',
    iceberg_costs: 'iceberg costs', export_bans: 'export bans (varieties)',
    endowments: 'endowments', technology: 'technology', deficit: 'deficit',
    redistribution: 'redistribution'
  };

  function decompositionSection(decomposition, regionOrder) {
    var node = section('Where the EV comes from',
        'Each region\'s EV split into its sources (docs/MODEL.md section 10), in percent of ' +
        'benchmark income: the parts add up to the EV (the diamond). ' +
        (summary.decomposition ? 'How exactly: ' + summary.decomposition + '.' : ''));
    var parts = [];
    var totals = {};
    var byRegion = {};
    decomposition.forEach(function (row) {
      if (row.component === 'total') { totals[row.region] = row; return; }
      if (row.component === 'integration_error') return;
      if (parts.indexOf(row.component) < 0) parts.push(row.component);
      (byRegion[row.region] = byRegion[row.region] || {})[row.component] = row;
    });
    // Parts that are zero everywhere are left out of the chart (they stay in the table).
    var active = parts.filter(function (part) {
      return decomposition.some(function (r) { return r.component === part && r.value !== 0; });
    });
    var rows = regionOrder.filter(function (r) { return totals[r]; });
    var evOf = {};
    rows.forEach(function (r) { evOf[r] = totals[r].pct_of_income; });
    var shownRows = largest(rows, TOP_BARS, function (r) { return evOf[r]; });
    var values = [];
    shownRows.forEach(function (region) {
      active.forEach(function (part, order) {
        var row = byRegion[region][part];
        if (row) values.push({row: region, part: PART_LABELS[part] || part, order: order,
                              component: part, value: row.pct_of_income});
      });
    });
    var totalValues = shownRows.map(function (r) { return {row: r, value: totals[r].pct_of_income}; });
    var columns = [{title: 'region', get: function (r) { return r.region; }}];
    parts.concat(['integration_error', 'total']).forEach(function (part) {
      columns.push({title: (PART_LABELS[part] || part.replace(/_/g, ' ')) + ' %',
                    get: function (r) { var c = byRegion[r.region][part] || (part === 'total' ? totals[r.region] : null);
                                        return c ? c.pct_of_income : null; },
                    format: pct});
    });
    decomposition.forEach(function (row) {
      if (row.component === 'integration_error') byRegion[row.region].integration_error = row;
    });
    addChart(node, {
      id: 'ev-decomposition', title: 'EV decomposition by region, % of benchmark income',
      note: (largestNote(shownRows.length, rows.length, 'regions') + ' Parts that are zero in ' +
             'every region are left out of the chart.').trim(),
      spec: stackSpec(values, totalValues, shownRows,
                      active.map(function (p) { return PART_LABELS[p] || p; }),
                      'contribution to EV, % of benchmark income'),
      items: values.length + totalValues.length,
      columns: columns, rows: rows.map(function (r) { return {region: r}; }),
      tableTitle: 'decomposition.csv (% of income)',
      drawn: values.map(function (v) { return [v.row + '/' + v.component, v.value]; })
          .concat(totalValues.map(function (t) { return [t.row + '/total', t.value]; }))
    });
  }

  function distributionSection(distribution, regionOrder) {
    var node = section('Distribution',
        'Inequality of per-capita real income across the household groups of each region ' +
        '(population-weighted Gini), and the share of the population whose utility falls.');
    var byRegion = {};
    distribution.forEach(function (r) { byRegion[r.region] = r; });
    var sorted = sortedBy(distribution, function (r) { return r.population_losing_pct; }, true);
    var shown = sorted.slice(0, TOP_BARS);
    var columns = [
      {title: 'region', get: function (r) { return r.region; }},
      {title: 'population losing %', get: function (r) { return r.population_losing_pct; },
       format: share},
      {title: 'Gini before', get: function (r) { return r.gini_base; }, format: index},
      {title: 'Gini after', get: function (r) { return r.gini_new; }, format: index},
      {title: 'Theil before', get: function (r) { return r.theil_base; }, format: index},
      {title: 'Theil after', get: function (r) { return r.theil_new; }, format: index}
    ];
    addChart(node, {
      id: 'population-losing', title: 'Share of the population that loses, %',
      note: shown.length < sorted.length ? 'The ' + TOP_BARS + ' regions with the largest ' +
            'shares; the table lists all.' : '',
      spec: barSpec(shown.map(function (r) { return {label: r.region, value: r.population_losing_pct}; }),
                    'population in households whose utility falls, %', "format(datum.value, '.1f')", LOSS),
      items: shown.length, columns: columns, rows: sorted, tableTitle: 'distribution.csv',
      drawn: shown.map(function (r) { return [r.region, r.population_losing_pct]; })
    });
    var rows = regionOrder.filter(function (r) { return byRegion[r]; }).slice(0, TOP_ROWS);
    var dots = [];
    rows.forEach(function (r) {
      dots.push({row: r, series: 'Gini before', value: byRegion[r].gini_base});
      dots.push({row: r, series: 'Gini after', value: byRegion[r].gini_new});
    });
    addChart(node, {
      id: 'gini', title: 'Gini index before and after (0 = equal, 1 = one group has all)',
      note: rows.length < regionOrder.length ? 'The ' + TOP_ROWS + ' regions with the largest ' +
            '|EV %|; the table lists all.' : 'Regions in the order of their EV %.',
      spec: dotSpec(dots, rows, ['Gini before', 'Gini after'], 'Gini index (dimensionless)'),
      items: dots.length, columns: columns, rows: distribution, tableTitle: 'distribution.csv',
      drawn: dots.map(function (d) { return [d.row + '/' + d.series, d.value]; })
    });
  }

  function solveReport(handled) {
    var tables = DATA.tables;
    var welfare = records(tables.welfare);
    header();
    statusLine();
    var regions = headline(welfare);
    welfareSection(welfare, regions);
    var regionOrder = sortedBy(regions, function (r) { return r.ev_pct; }, true)
        .map(function (r) { return r.region; });
    var heatOrder = sortedBy(regions, function (r) { return Math.abs(r.ev_pct); }, true)
        .slice(0, TOP_ROWS);
    var orderedTop = regionOrder.filter(function (r) {
      return heatOrder.some(function (h) { return h.region === r; });
    }).concat(regionOrder.filter(function (r) {
      return !heatOrder.some(function (h) { return h.region === r; });
    }));
    factorSection(records(tables.factors), orderedTop);
    sectorSection(records(tables.sectors), records(tables.trade));
    if (tables.decomposition) decompositionSection(records(tables.decomposition), regionOrder);
    distributionSection(records(tables.distribution), orderedTop);
    gameSection(handled);
    runDetails();
  }

  // ---- compare -------------------------------------------------------------------------------

  // What every chart of a comparison shares: the rules, the rows, the regions shown (the
  // COMPARE_REGIONS of largest |EV %| in a large world, sorted from the largest gain).
  function compareContext() {
    var rules = DATA.rules;
    var rows = records(DATA.tables.compare);
    var regionRows = rows.filter(function (r) { return r.household === null || r.household === ''; });
    var evPct = {};
    var regionOrder = [];
    regionRows.forEach(function (r) {
      if (r.measure !== 'ev_pct') return;
      evPct[r.region] = r[rules[0]];
      regionOrder.push(r.region);
    });
    regionOrder = sortedBy(regionOrder, function (r) { return evPct[r]; }, true);
    var shown = largest(regionOrder, COMPARE_REGIONS, function (r) { return evPct[r]; });
    return {
      rules: rules, rows: rows, regionRows: regionRows, shownRegions: shown,
      note: largestNote(shown.length, regionOrder.length, 'regions'),
      columns: [{title: 'region', get: function (r) { return r.region; }},
                {title: 'household', get: function (r) { return r.household; }},
                {title: 'measure', get: function (r) { return r.measure; }}]
          .concat(rules.map(function (rule) {
            return {title: rule, get: function (r) { return r[rule]; }, format: pct};
          }))
    };
  }

  // [row, rule, value] items of `rows` for each rule with a number.
  function ruleValues(c, rows, rowName) {
    var values = [];
    rows.forEach(function (r) {
      c.rules.forEach(function (rule) {
        if (isNumber(r[rule])) values.push({row: rowName(r), series: rule, value: r[rule]});
      });
    });
    return values;
  }

  function drawnPairs(values) {
    return values.map(function (v) { return [v.row + '/' + v.series, v.value]; });
  }

  // Household EV % under each rule: a heat map of (region, household) x rule. Governments
  // (rule none) keep what they collect: their EV % is on another scale, so they are in the
  // table only.
  function compareHouseholds(node, c) {
    var households = c.rows.filter(function (r) {
      return r.household && r.household !== 'government' && r.measure === 'ev_pct' &&
             c.shownRegions.indexOf(r.region) >= 0;
    });
    // Regions from the largest gain (under the first rule), households in the file's order.
    households = sortedBy(households, function (r) {
      return c.shownRegions.indexOf(r.region) * 1e6 + c.rows.indexOf(r);
    });
    var name = function (r) { return r.region + ' ' + r.household; };
    var values = ruleValues(c, households, name);
    var hasGovernment = c.rows.some(function (r) { return r.household === 'government'; });
    addChart(node, {
      id: 'compare-household-ev',
      title: 'EV by household group under each rule, % of benchmark income',
      note: [c.note, hasGovernment ? 'Governments (rule none) are in the table.' : '']
          .filter(Boolean).join(' '),
      spec: heatSpec(values.map(function (v) { return {row: v.row, column: v.series, value: v.value}; }),
                     households.map(name), c.rules, 'EV %', "format(datum.value, '.3f')"),
      items: values.length, columns: c.columns,
      rows: c.rows.filter(function (r) { return r.measure === 'ev_pct'; }),
      tableTitle: 'compare.csv, EV %', drawn: drawnPairs(values)
    });
  }

  // A region measure under each rule as grouped bars.
  function compareMeasure(node, c, measure, id, title, axisTitle) {
    var rows = c.regionRows.filter(function (r) { return r.measure === measure; });
    var values = ruleValues(c, rows.filter(function (r) {
      return c.shownRegions.indexOf(r.region) >= 0;
    }), function (r) { return r.region; });
    addChart(node, {
      id: id, title: title, note: c.note,
      spec: groupedSpec(values, c.shownRegions, c.rules, axisTitle), items: values.length,
      columns: c.columns, rows: rows, tableTitle: 'compare.csv, ' + measure,
      drawn: drawnPairs(values)
    });
  }

  // Gini after under each rule (dots), before as a grey bar (the same under every rule with
  // households only; under rule none the government changes it, so the first rule's is shown).
  function compareGini(node, c) {
    var shown = c.regionRows.filter(function (r) { return c.shownRegions.indexOf(r.region) >= 0; });
    var dots = ruleValues(c, shown.filter(function (r) { return r.measure === 'gini_new'; }),
                          function (r) { return r.region; });
    var bases = shown.filter(function (r) {
      return r.measure === 'gini_base' && isNumber(r[c.rules[0]]);
    }).map(function (r) { return {row: r.region, value: r[c.rules[0]]}; });
    addChart(node, {
      id: 'compare-gini', title: 'Gini index after the policy under each rule (grey bar: ' +
          'before, under ' + c.rules[0] + ')', note: c.note,
      spec: dotSpec(dots, c.shownRegions, c.rules, 'Gini index (dimensionless)', bases),
      items: dots.length, columns: c.columns,
      rows: c.regionRows.filter(function (r) {
        return r.measure === 'gini_base' || r.measure === 'gini_new';
      }),
      tableTitle: 'compare.csv, Gini', drawn: drawnPairs(dots)
    });
  }

  function compareReport() {
    var c = compareContext();
    header();
    main.appendChild(el('p', {class: 'intro', text: 'The same scenario solved under each rule ' +
        'for returning government revenue to households: ' + c.rules.join(', ') + '.'}));
    var node = section('Each rule side by side');
    compareHouseholds(node, c);
    compareMeasure(node, c, 'population_losing_pct', 'compare-population-losing',
                   'Share of the population that loses under each rule, %', 'population losing, %');
    compareMeasure(node, c, 'ev_pct', 'compare-national-ev', 'National EV under each rule, % of ' +
                   'benchmark income (equal under every rule unless a rule costs efficiency)',
                   'EV, % of benchmark income');
    compareGini(node, c);
    var others = c.regionRows.filter(function (r) {
      return ['ev_pct', 'population_losing_pct', 'gini_base', 'gini_new'].indexOf(r.measure) < 0;
    });
    if (!others.length) return;
    section('Other measures', 'National EV in ' + units + ' and the compensation tax ' +
            '(compare.csv).').appendChild(htmlTable([
      {title: 'region', get: function (r) { return r.region; }},
      {title: 'measure', get: function (r) { return r.measure; }}
    ].concat(c.rules.map(function (rule) {
      return {title: rule, get: function (r) { return r[rule]; }, format: plain};
    })), others));
  }

  // ---- game, sweep, sensitivity: keyed on their files, tolerant of columns not known --------

  function hasColumns(table, columns) {
    return table && columns.every(function (c) { return table.columns.indexOf(c) >= 0; });
  }

  // tariffs.csv of `ohlin game`: the chosen tariffs (player x sector, mean over partners) and
  // each player's gain at the outcome over the start (summary.json `game`).
  function gameSection(handled) {
    var table = (DATA.other_tables || {}).tariffs;
    if (!hasColumns(table, ['player', 'sector', 'rate_chosen'])) return;
    handled.tariffs = true;
    var game = summary.game || {};
    var node = section('Tariff game', 'The tariffs the game chose' +
        (game.concept ? ' (' + game.concept + ')' : '') + ' and what each player gains. ' +
        'Rates are fractions (0.25 is 25%).');
    var rows = records(table);
    var sums = {}, players = [], sectors = [];
    rows.forEach(function (r) {
      if (!isNumber(r.rate_chosen)) return;
      var key = r.player + '|' + r.sector;
      (sums[key] = sums[key] || {row: String(r.player), column: String(r.sector), total: 0, n: 0});
      sums[key].total += r.rate_chosen;
      sums[key].n += 1;
      if (players.indexOf(String(r.player)) < 0) players.push(String(r.player));
      if (sectors.indexOf(String(r.sector)) < 0) sectors.push(String(r.sector));
    });
    var cells = Object.keys(sums).map(function (k) {
      return {row: sums[k].row, column: sums[k].column, value: sums[k].total / sums[k].n};
    });
    var columns = table.columns.map(function (column) {
      return {title: column, get: function (r) { return r[column]; },
              format: /rate/.test(column) ? index : null};
    });
    addChart(node, {
      id: 'game-tariffs', title: 'Chosen tariffs, player × sector (mean over partners, fraction)',
      spec: heatSpec(cells, players.slice(0, TOP_ROWS), sectors, 'tariff rate (fraction)',
                     "format(datum.value, '.3f')"),
      items: cells.filter(function (c) { return players.indexOf(c.row) < TOP_ROWS; }).length,
      columns: columns, rows: rows, tableTitle: 'tariffs.csv',
      drawn: cells.map(function (c) { return [c.row + '/' + c.column, c.value]; })
          .filter(function (d) { return players.indexOf(d[0].split('/')[0]) < TOP_ROWS; })
    });
    var gains = (game.players || []).filter(function (p) { return isNumber(p.gain_pct_of_income); });
    if (gains.length) {
      var bars = gains.map(function (p) { return {label: String(p.region), value: p.gain_pct_of_income}; });
      addChart(node, {
        id: 'game-gains', title: 'Each player\'s gain at the outcome over the start, % of income',
        spec: barSpec(bars, 'gain in its objective, % of benchmark income', formatFor(bars)),
        items: bars.length,
        columns: ['region', 'objective', 'objective_factual', 'objective_value',
                  'gain_pct_of_income', 'kkt_residual'].map(function (key) {
          return {title: key, get: function (p) { return p[key]; },
                  format: key === 'region' || key === 'objective' ? null : plain};
        }),
        rows: gains, tableTitle: 'summary.json, game players',
        drawn: bars.map(function (b) { return [b.label, b.value]; })
      });
    }
  }

  // The coordinate columns of a sweep's points.csv: between `point` (and `weight`) and `status`.
  function coordinates(points) {
    var start = points.columns.indexOf('point') + 1;
    if (points.columns[start] === 'weight') start += 1;
    var end = points.columns.indexOf('status');
    return points.columns.slice(start, end < 0 ? points.columns.length : end);
  }

  // `ohlin sweep`: each region's EV % along the first numeric coordinate (welfare.csv long).
  function sweepSection(handled) {
    var points = DATA.other_tables.points;
    var welfare = DATA.other_tables.welfare;
    var coords = coordinates(points);
    var pointRows = records(points);
    var node = section('Sweep', 'Results along the swept coordinates (' + coords.join(', ') +
        '). ' + pointRows.filter(function (r) { return r.status === 'converged'; }).length +
        ' of ' + pointRows.length + ' points converged (points.csv).');
    if (!hasColumns(welfare, ['point', 'region', 'ev', 'income_base'].concat(coords))) return;
    handled.welfare = true;
    var numeric = coords.filter(function (c) { return pointRows.every(function (r) { return isNumber(r[c]); }); });
    var xColumn = numeric.length ? numeric[0] : 'point';
    // Other coordinates that vary tell the lines apart.
    var others = coords.filter(function (c) {
      return c !== xColumn && pointRows.some(function (r) { return r[c] !== pointRows[0][c]; });
    });
    var groups = {};
    records(welfare).forEach(function (r) {
      if (r.household === 'government') return;
      var series = [r.region].concat(others.map(function (c) { return c + '=' + r[c]; })).join(' · ');
      var key = series + '|' + r.point;
      var g = groups[key] || (groups[key] = {series: series, region: r.region, point: r.point,
                                             x: r[xColumn], ev: 0, income: 0});
      g.ev += r.ev;
      g.income += r.income_base;
    });
    var values = Object.keys(groups).map(function (k) {
      var g = groups[k];
      return {series: g.series, region: g.region, point: g.point, x: g.x, value: 100 * g.ev / g.income};
    });
    var reach = {};
    values.forEach(function (v) { reach[v.series] = Math.max(reach[v.series] || 0, Math.abs(v.value)); });
    var series = sortedBy(Object.keys(reach), function (k) { return reach[k]; }, true).slice(0, 8);
    var shown = values.filter(function (v) { return series.indexOf(v.series) >= 0; });
    addChart(node, {
      id: 'sweep-ev', title: 'EV by region along ' + xColumn + ', % of benchmark income',
      note: Object.keys(reach).length > series.length ? 'The ' + series.length + ' of ' +
            Object.keys(reach).length + ' lines that reach furthest from zero; the table lists all.' : '',
      spec: lineSpec(shown, series, xColumn, 'EV, % of benchmark income'), items: shown.length,
      columns: [{title: 'point', get: function (v) { return v.point; }},
                {title: xColumn, get: function (v) { return v.x; }, format: plain},
                {title: 'series', get: function (v) { return v.series; }},
                {title: 'EV %', get: function (v) { return v.value; }, format: pct}],
      rows: sortedBy(values, function (v) { return v.point; }), tableTitle: 'EV % by point',
      drawn: shown.map(function (v) { return [v.point + '/' + v.series, v.value]; })
    });
  }

  // `ohlin sensitivity`: each household's EV % mean with its bounds (welfare.csv statistics).
  function sensitivitySection(handled) {
    var welfare = DATA.other_tables.welfare;
    var node = section('Sensitivity', [summary.method, summary.bounds, summary.note]
        .filter(Boolean).join('; ') + '.');
    if (!hasColumns(welfare, ['region', 'column', 'mean', 'low', 'high'])) return;
    handled.welfare = true;
    var rows = records(welfare).filter(function (r) {
      return r.column === 'ev_pct' && isNumber(r.mean) && r.household !== 'government';
    });
    var label = function (r) { return r.region + (r.household ? ' ' + r.household : ''); };
    var shown = sortedBy(rows, function (r) { return Math.abs(r.mean); }, true).slice(0, TOP_BARS);
    shown = sortedBy(shown, function (r) { return r.mean; }, true);
    var values = shown.map(function (r) { return {row: label(r), value: r.mean, low: r.low, high: r.high}; });
    addChart(node, {
      id: 'sensitivity-ev', title: 'EV by household group: mean and bounds, % of benchmark income',
      note: largestNote(shown.length, rows.length, 'household groups'),
      spec: rangeSpec(values, values.map(function (v) { return v.row; }),
                      'EV, % of benchmark income (dot: mean; bar: low to high)'),
      items: values.length,
      columns: welfare.columns.map(function (column) {
        return {title: column, get: function (r) { return r[column]; },
                format: ['mean', 'sd', 'low', 'high'].indexOf(column) >= 0 ? pct : null};
      }),
      rows: rows, tableTitle: 'welfare.csv, ev_pct',
      drawn: values.map(function (v) { return [v.row, v.value]; })
    });
  }

  // ---- tables of other commands (game, sweep, sensitivity): shown as they come ----------------

  function otherTables(handled) {
    var names = Object.keys(DATA.other_tables || {}).filter(function (n) { return !handled[n]; });
    if (!names.length) return;
    var node = section('Other tables in this folder',
        'Tables of other ohlin commands, shown as written' + '.');
    names.forEach(function (name) {
      var table = DATA.other_tables[name];
      var numeric = table.columns.map(function (column, c) {
        return table.rows.length > 0 && table.rows.every(function (row) {
          return row[c] === null || isNumber(row[c]);
        });
      });
      var columns = table.columns.map(function (column, c) {
        return {title: column, get: function (r) { return r[c]; }, format: numeric[c] ? plain : null};
      });
      var limit = 200;
      node.appendChild(el('h3', {text: table.file}));
      if (table.rows.length > limit || table.rows_in_file > table.rows.length) {
        node.appendChild(el('p', {class: 'note', text: 'The first ' + Math.min(limit, table.rows.length) +
            ' of ' + table.rows_in_file + ' rows.'}));
      }
      node.appendChild(el('details', {}, [el('summary', {text: 'Table: ' + table.file}),
                                          htmlTable(columns, table.rows.slice(0, limit))]));
    });
  }

  // ---- probe ---------------------------------------------------------------------------------

  // JSON that survives the page's HTML serialisation unchanged: ASCII only, no < > &.
  function probeJson(value) {
    return JSON.stringify(value).replace(/[<>&\u007f-\uffff]/g, function (c) {
      return '\\u' + ('0000' + c.charCodeAt(0).toString(16)).slice(-4);
    });
  }

  function tableText(tableNode) {
    return Array.prototype.map.call(tableNode.querySelectorAll('tr'), function (tr) {
      return Array.prototype.map.call(tr.children, function (cell) { return cell.textContent; });
    });
  }

  function writeProbe(extra) {
    var probe = {
      kind: DATA.kind, done: true, errors: window.ohlinErrors,
      headline: Array.prototype.map.call(document.querySelectorAll('#headline .card'),
                                         function (card) { return card.textContent; }),
      charts: charts.map(function (chart) {
        return {
          id: chart.id, title: chart.title, items: chart.items,
          marks: chart.container.querySelectorAll('g.role-mark > path, g.role-mark > text, ' +
                                                  'g.role-mark > line').length,
          drawn: chart.drawn, table: tableText(chart.table), svg: chart.svg
        };
      })
    };
    Object.assign(probe, extra || {});
    document.getElementById('ohlin-probe').textContent = probeJson(probe);
  }

  try {
    var handled = {};
    if (DATA.kind === 'solve') solveReport(handled);
    else if (DATA.kind === 'compare') compareReport();
    else header();
    if (DATA.kind === 'sweep') sweepSection(handled);
    if (DATA.kind === 'sensitivity') sensitivitySection(handled);
    otherTables(handled);
    main.appendChild(el('footer', {text: 'Written by ohlin ' + DATA.ohlin_version +
        ' (ohlin report). Charts drawn with Vega (BSD-3-Clause), embedded in this file.'}));
  } catch (error) {
    window.ohlinErrors.push(String(error && error.stack || error));
  }
  Promise.all(charts.map(function (chart) {
    return chart.view.runAsync().then(function () {
      if (!EXPORT_SVG) return null;
      return chart.view.toSVG().then(function (svg) { chart.svg = svg; });
    });
  })).then(function () { writeProbe(); }, function (error) {
    window.ohlinErrors.push(String(error && error.stack || error));
    writeProbe();
  });
})();
