// ohlin report: a small CommonJS loader for Debian's Vega modules (libjs-vega, BSD-3-Clause,
// UW Interactive Data Lab), which are built as separate UMD files. Each module runs with its
// own `exports` and `module` and a `require` that returns modules loaded before it.
var ohlinVegaModules = {};
function ohlinDefine(name, body) {
  var exports = {};
  var module = {exports: exports};
  body(exports, module, function (dependency) {
    var found = ohlinVegaModules[dependency === 'vega-selections' ? 'vega-selection' : dependency];
    if (!found) throw new Error('Vega module ' + dependency + ' is needed before ' + name);
    return found;
  });
  ohlinVegaModules[name] = module.exports;
}
