/**
 * The API docs page: one self-contained HTML document (no CDN: there may be no internet) that fetches
 * /api/openapi.json and renders operations grouped by tag, with parameters, bodies and responses.
 */
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Nebula control API</title>
<style>
  :root { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1c2430; background: #f6f7f9; }
  body { margin: 0; }
  header { background: #16202c; color: #fff; padding: 16px 24px; }
  header h1 { margin: 0; font-size: 20px; }
  header p { margin: 4px 0 0; color: #b8c2cf; font-size: 13px; max-width: 960px; }
  main { max-width: 1100px; margin: 0 auto; padding: 16px 24px 48px; }
  input { width: 100%; padding: 8px 10px; font-size: 14px; border: 1px solid #c9d0d9; border-radius: 6px; box-sizing: border-box; }
  h2 { font-size: 16px; margin: 28px 0 8px; text-transform: capitalize; }
  details { background: #fff; border: 1px solid #dde2e8; border-radius: 6px; margin: 6px 0; }
  summary { cursor: pointer; padding: 8px 12px; display: flex; gap: 10px; align-items: center; }
  .m { font: 600 12px ui-monospace, monospace; padding: 2px 8px; border-radius: 4px; color: #fff; min-width: 52px; text-align: center; }
  .get { background: #2f7bd8; } .post { background: #2e9d5b; } .put { background: #c98a12; } .delete { background: #c8423c; } .patch { background: #7a56c9; }
  .p { font: 13px ui-monospace, monospace; }
  .s { color: #556274; font-size: 13px; }
  .body { padding: 4px 14px 14px; font-size: 13px; }
  table { border-collapse: collapse; width: 100%; margin: 6px 0; }
  td, th { border-bottom: 1px solid #e6e9ee; text-align: left; padding: 4px 6px; vertical-align: top; }
  pre { background: #f1f3f6; padding: 8px; border-radius: 4px; overflow: auto; max-height: 320px; font-size: 12px; }
  .role { font-size: 12px; color: #6b7686; }
</style>
</head>
<body>
<header><h1>Nebula control API</h1><p id="desc">Loading /api/openapi.json…</p></header>
<main><input id="filter" placeholder="Filter by path, summary or tag"><div id="ops"></div></main>
<script>
(function () {
  var esc = function (s) { return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; }); };
  var doc;
  function resolve(schema, depth) {
    if (!schema || depth > 6) return schema;
    if (schema.$ref) { var name = schema.$ref.split('/').pop(); return resolve((doc.components && doc.components.schemas || {})[name], depth + 1); }
    var out = Array.isArray(schema) ? [] : {};
    for (var k in schema) out[k] = typeof schema[k] === 'object' ? resolve(schema[k], depth + 1) : schema[k];
    return out;
  }
  function render(filter) {
    var groups = {};
    Object.keys(doc.paths).forEach(function (path) {
      var item = doc.paths[path];
      Object.keys(item).forEach(function (method) {
        var op = item[method];
        var tag = (op.tags && op.tags[0]) || 'other';
        var hay = (path + ' ' + (op.summary || '') + ' ' + (op.tags || []).join(' ')).toLowerCase();
        if (filter && hay.indexOf(filter) < 0) return;
        (groups[tag] = groups[tag] || []).push({ path: path, method: method, op: op });
      });
    });
    var html = '';
    Object.keys(groups).sort().forEach(function (tag) {
      html += '<h2>' + esc(tag) + '</h2>';
      groups[tag].forEach(function (e) {
        var op = e.op, params = op.parameters || [];
        html += '<details><summary><span class="m ' + esc(e.method) + '">' + esc(e.method.toUpperCase()) + '</span><span class="p">' + esc(e.path) + '</span><span class="s">' + esc(op.summary) + '</span></summary><div class="body">';
        if (op.description) html += '<p class="role">' + esc(op.description) + '</p>';
        if (params.length) {
          html += '<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>';
          params.forEach(function (p) { html += '<tr><td class="p">' + esc(p.name) + '</td><td>' + esc(p.in) + '</td><td>' + (p.required ? 'yes' : '') + '</td><td class="p">' + esc(JSON.stringify(resolve(p.schema, 0))) + '</td></tr>'; });
          html += '</table>';
        }
        var body = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
        if (body) html += '<div>Request body' + (op.requestBody.required ? '' : ' (optional)') + '</div><pre>' + esc(JSON.stringify(resolve(body.schema, 0), null, 2)) + '</pre>';
        Object.keys(op.responses || {}).filter(function (s) { return s < '400'; }).forEach(function (s) {
          var r = op.responses[s], c = r.content && (r.content['application/json'] || r.content[Object.keys(r.content)[0]]);
          html += '<div>Response ' + esc(s) + '</div>' + (c ? '<pre>' + esc(JSON.stringify(resolve(c.schema, 0), null, 2)) + '</pre>' : '');
        });
        html += '</div></details>';
      });
    });
    document.getElementById('ops').innerHTML = html || '<p>No operation matches.</p>';
  }
  fetch('/api/openapi.json').then(function (r) { return r.json(); }).then(function (d) {
    doc = d;
    document.getElementById('desc').textContent = (d.info.description || '') + ' (version ' + d.info.version + ')';
    render('');
    document.getElementById('filter').addEventListener('input', function (ev) { render(ev.target.value.trim().toLowerCase()); });
  }).catch(function (err) { document.getElementById('desc').textContent = 'Could not load /api/openapi.json: ' + err; });
})();
</script>
</body>
</html>
`;
