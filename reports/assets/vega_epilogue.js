// The `vega` object of Vega's own bundle: every module's exports, and the transforms of
// vega-transforms, vega-view-transforms and vega-encode registered with the dataflow.
var vega = (function () {
  var all = {};
  Object.keys(ohlinVegaModules).forEach(function (name) {
    Object.assign(all, ohlinVegaModules[name]);
  });
  Object.assign(ohlinVegaModules['vega-dataflow'].transforms, ohlinVegaModules['vega-transforms'],
                ohlinVegaModules['vega-view-transforms'], ohlinVegaModules['vega-encode']);
  return all;
})();
