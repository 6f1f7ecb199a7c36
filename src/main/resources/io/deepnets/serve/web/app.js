// deepnets serve: one page, views chosen by the location's hash. Data from the JSON API, live updates by Server-Sent
// Events, charts by Apache ECharts (served from the jar). Every value from a run folder is inserted as text (esc).
'use strict';

const view = document.getElementById('view');
let cleanup = [];   // event sources and charts of the current view, closed when the view changes

function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
}
function fmt(v, digits = 4) {
  return v === null || v === undefined || Number.isNaN(v) ? '' : (typeof v === 'number' ? v.toFixed(digits) : esc(v));
}
function badge(status) { return `<span class="badge ${esc(status)}">${esc(status)}</span>`; }
async function api(path, options) {
  const r = await fetch(path, options);
  const body = await r.json().catch(() => ({error: r.statusText}));
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}
function listen(url, handlers) {
  const es = new EventSource(url);
  for (const [name, fn] of Object.entries(handlers)) es.addEventListener(name, e => fn(JSON.parse(e.data)));
  es.onopen = () => { document.getElementById('live').textContent = 'live'; };
  es.onerror = () => { document.getElementById('live').textContent = 'reconnecting...'; };
  cleanup.push(() => es.close());
  return es;
}
function chart(el) {
  const c = echarts.init(el);
  c.setOption({animation: false});
  const resize = () => c.resize();
  window.addEventListener('resize', resize);
  cleanup.push(() => { window.removeEventListener('resize', resize); c.dispose(); });
  return c;
}

// ---------------------------------------------------------------- runs table
const runsState = {sort: 'started', desc: true, query: '', status: '', selected: new Set()};
const COLUMNS = [
  ['experiment', 'experiment'], ['dataset', 'dataset'], ['started', 'started'], ['status', 'status'], ['epochs', 'epochs', true],
  ['params', 'params', true], ['accuracy', 'accuracy', true], ['val_accuracy', 'val_accuracy', true], ['loss', 'loss', true],
  ['val_loss', 'val_loss', true], ['test_accuracy', 'test acc.', true], ['test_loss', 'test loss', true],
  ['seconds_per_epoch', 's/epoch', true]];

async function runsView() {
  view.innerHTML = `<h1>Runs</h1>
    <div class="toolbar">
      <input type="search" id="q" placeholder="search experiment, folder, dataset" size="34" value="${esc(runsState.query)}">
      <select id="status"><option value="">every status</option><option>training</option><option>finished</option>
        <option>interrupted</option><option>diverged</option></select>
      <button id="compare" disabled>compare selected</button>
      <span id="count" class="muted"></span>
    </div>
    <table id="runs"><thead></thead><tbody></tbody></table>`;
  document.getElementById('status').value = runsState.status;
  let runs = [];
  const render = () => {
    const q = runsState.query.toLowerCase();
    let rows = runs.filter(r => (!runsState.status || r.status === runsState.status)
      && (!q || [r.experiment, r.folder, r.dataset, r.status].join(' ').toLowerCase().includes(q)));
    const k = runsState.sort;
    rows.sort((a, b) => {
      const x = a[k], y = b[k];
      const c = x === null || x === undefined ? 1 : y === null || y === undefined ? -1 : typeof x === 'number' ? x - y : String(x).localeCompare(String(y));
      return runsState.desc ? -c : c;
    });
    document.querySelector('#runs thead').innerHTML = '<tr><th></th>' + COLUMNS.map(([key, label, num]) =>
      `<th data-key="${key}" class="${num ? 'num' : ''}">${esc(label)}${key === k ? (runsState.desc ? ' ▼' : ' ▲') : ''}</th>`).join('') + '</tr>';
    document.querySelector('#runs tbody').innerHTML = rows.map(r => `<tr data-id="${esc(r.id)}">
      <td><input type="checkbox" data-id="${esc(r.id)}" ${runsState.selected.has(r.id) ? 'checked' : ''}></td>
      <td><a href="#/run/${esc(r.id)}" title="${esc(r.folder)}">${esc(r.experiment)}</a></td><td>${esc(r.dataset)}</td><td>${esc(r.started)}</td>
      <td>${badge(r.status)}</td><td class="num">${r.epochs}${r.planned_epochs ? ' / ' + r.planned_epochs : ''}</td>
      <td class="num">${r.params === null ? '' : r.params.toLocaleString('en')}</td><td class="num">${fmt(r.accuracy)}</td>
      <td class="num">${fmt(r.val_accuracy)}</td><td class="num">${fmt(r.loss)}</td><td class="num">${fmt(r.val_loss)}</td>
      <td class="num">${fmt(r.test_accuracy)}</td><td class="num">${fmt(r.test_loss)}</td><td class="num">${fmt(r.seconds_per_epoch, 1)}</td></tr>`).join('');
    document.getElementById('count').textContent = `${rows.length} of ${runs.length} runs`;
    document.getElementById('compare').disabled = runsState.selected.size < 2;
  };
  const load = async () => { runs = await api('/api/runs'); render(); };
  document.querySelector('#runs thead').addEventListener('click', e => {
    const key = e.target.closest('th')?.dataset.key;
    if (!key) return;
    runsState.desc = runsState.sort === key ? !runsState.desc : !['experiment', 'dataset', 'status'].includes(key);
    runsState.sort = key;
    render();
  });
  document.querySelector('#runs tbody').addEventListener('change', e => {
    const id = e.target.dataset.id;
    if (e.target.checked) runsState.selected.add(id); else runsState.selected.delete(id);
    document.getElementById('compare').disabled = runsState.selected.size < 2;
  });
  document.getElementById('q').addEventListener('input', e => { runsState.query = e.target.value; render(); });
  document.getElementById('status').addEventListener('change', e => { runsState.status = e.target.value; render(); });
  document.getElementById('compare').addEventListener('click', () => { location.hash = '#/compare/' + [...runsState.selected].join(','); });
  await load();
  listen('/api/events', {runs: () => load()});
}

// ---------------------------------------------------------------- one run
function curveOption(title, history, keys, marks) {
  const names = {accuracy: 'train', val_accuracy: 'validation', loss: 'train', val_loss: 'validation'};
  return {
    animation: false,
    title: {text: title, left: 'center', textStyle: {fontSize: 13}},
    tooltip: {trigger: 'axis'}, legend: {bottom: 0},
    grid: {left: 55, right: 25, top: 35, bottom: 80},
    xAxis: {type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 24, minInterval: 1, min: 1},
    yAxis: {type: 'value', scale: true},
    dataZoom: [{type: 'inside'}, {type: 'slider', bottom: 28, height: 16}],
    series: keys.map((k, i) => ({
      name: names[k] || k, type: 'line', showSymbol: history.length < 60, data: history.map(h => [h.epoch, h[k]]),
      lineStyle: {type: k.startsWith('val_') ? 'solid' : 'dashed'},
      markLine: i === 0 && marks.length ? {symbol: 'none', label: {formatter: '{b}'}, data: marks.map(m => ({name: m.name, xAxis: m.epoch}))} : undefined,
    })),
  };
}

function marksOf(run) {
  const m = run.metrics || {};
  const marks = [];
  let best = m.best_epoch;
  if (!best && run.history.length) {
    best = run.history.reduce((b, h) => (h.val_accuracy ?? -1) > (b.val_accuracy ?? -1) ? h : b, run.history[0]).epoch;
  }
  if (best) marks.push({name: 'best epoch ' + best, epoch: best});
  if (m.stopped_epoch) marks.push({name: 'early stop', epoch: m.stopped_epoch});
  return marks;
}

function progressHtml(run) {
  const p = run.progress;
  if (run.status !== 'training' || !p) return '';
  const done = p.steps ? p.step / p.steps : 0;
  return `<p id="progress">epoch ${p.epoch} of ${p.epochs}: step ${p.step} of ${p.steps}
    <span class="progress"><div style="width:${(done * 100).toFixed(1)}%"></div></span>
    ${p.loss === null ? 'starting the epoch' : `running loss ${fmt(p.loss)}, accuracy ${fmt(p.accuracy)}, ${fmt(p.elapsed_seconds, 0)} s`}</p>`;
}

function figuresHtml(run) {
  const m = run.metrics || {};
  return `${run.history.length} epoch(s)${run.planned_epochs ? ' of ' + run.planned_epochs : ''}${m.test_accuracy !== undefined ?
    ` · test accuracy <b>${fmt(m.test_accuracy)}</b>, test loss ${fmt(m.test_loss)}` : ''}${m.test_views ?
    ` (${esc(m.test_views)}; the image alone: ${fmt(m.single_view_test_accuracy)})` : ''}${run.params ? ' · ' + run.params.toLocaleString('en') + ' parameters' : ''}`;
}

async function runView(id) {
  const run = await api('/api/runs/' + encodeURIComponent(id));
  const m = run.metrics || {};
  view.innerHTML = `<h1>${esc(run.experiment)} ${badge(run.status)}</h1>
    <p class="muted">${esc(run.folder)} · ${esc(run.dataset)} · started ${esc(run.started)}
      ${run.has_report ? ` · <a href="/api/runs/${esc(id)}/files/report.html" target="_blank">report.html</a>` : ''}
      · <a href="#/try/${esc(id)}">try this model</a></p>
    <div id="status-line">${progressHtml(run)}</div>
    <p id="figures">${figuresHtml(run)}</p>
    <div class="charts"><div id="acc" class="chart"></div><div id="loss" class="chart"></div></div>
    <div id="confusion-section"></div>
    <h2>Network</h2><div class="network">${run.network_svg || '<p class="muted">no readable config.yaml</p>'}</div>
    <div class="cols"><div><h2>Config</h2><pre>${esc(run.config_yaml)}</pre></div><div><h2>Summary</h2><pre>${esc(run.summary)}</pre></div></div>
    <h2>Provenance</h2><div id="provenance"></div>`;
  const acc = chart(document.getElementById('acc'));
  const loss = chart(document.getElementById('loss'));
  const draw = r => {
    acc.setOption(curveOption('accuracy', r.history, ['val_accuracy', 'accuracy'], marksOf(r)), true);
    loss.setOption(curveOption('loss', r.history, ['val_loss', 'loss'], marksOf(r)), true);
  };
  draw(run);
  acc.getDom().dataset.epochs = run.history.length;
  renderConfusion(id, run);
  const prov = Object.assign({}, m.provenance || {});
  for (const k of ['training_step', 'started', 'finished', 'train_samples', 'validation_samples', 'test_samples', 'mean_epoch_seconds']) {
    if (m[k] !== undefined) prov[k] = m[k];
  }
  document.getElementById('provenance').innerHTML = Object.keys(prov).length ? '<table>' + Object.entries(prov).map(([k, v]) =>
    `<tr><td>${esc(k)}</td><td>${esc(typeof v === 'object' ? JSON.stringify(v) : v)}</td></tr>`).join('') + '</table>'
    : '<p class="muted">metrics.json is not written yet (the run has not finished)</p>';
  let last = run.status;
  listen('/api/runs/' + encodeURIComponent(id) + '/events', {
    update: u => {
      run.history = u.history; run.progress = u.progress; run.status = u.status; run.metrics = run.metrics || {};
      draw(run);
      acc.getDom().dataset.epochs = u.history.length;
      document.getElementById('status-line').innerHTML = progressHtml(run);
      document.getElementById('figures').innerHTML = figuresHtml(run);
      document.querySelector('h1 .badge').outerHTML = badge(u.status);
      if (last === 'training' && u.status !== 'training') runView(id);   // finished: its figures are complete now
      last = u.status;
    },
  });
}

function renderConfusion(id, run) {
  const section = document.getElementById('confusion-section');
  if (!run.confusion) {
    section.innerHTML = '<p class="muted">No confusion matrix yet: the test set is evaluated when training ends.</p>';
    return;
  }
  const {classes, counts} = run.confusion;
  const perRow = counts.map(r => r.reduce((a, b) => a + b, 0) || 1);
  const cells = counts.map((row, i) => `<tr><th>${esc(classes[i])}</th>` + row.map((n, j) => {
    const f = n / perRow[i];
    const bg = i === j ? `rgba(59,138,79,${f})` : `rgba(184,59,59,${Math.min(1, f * 3)})`;
    return `<td data-truth="${i}" data-predicted="${j}" style="background:${bg};color:${f > .5 ? 'white' : 'inherit'}" title="true ${esc(classes[i])}, predicted ${esc(classes[j])}: ${n}">${n}</td>`;
  }).join('') + '</tr>').join('');
  const mistakes = (run.mistakes || []).map(p => `<figure><img src="/api/runs/${esc(id)}/test-images/${p.index}.png" alt="test image ${p.index}">
      true ${esc(classes[p.truth])}<br>pred ${esc(classes[p.predicted])} (${fmt(p.probability, 2)})</figure>`).join('');
  const perClass = (run.per_class || []).map(r => `<tr><td>${esc(r.class)}</td><td class="num">${fmt(r.precision, 3)}</td>
      <td class="num">${fmt(r.recall, 3)}</td><td class="num">${fmt(r.f1, 3)}</td><td class="num">${r.support}</td></tr>`).join('');
  section.innerHTML = `<div class="cols"><div><h2>Confusion matrix (test set)</h2>
      <p class="muted">rows: true class, columns: predicted. Click a cell for its test images.</p>
      <table class="confusion"><tr><th></th>${classes.map(c => `<th>${esc(c)}</th>`).join('')}</tr>${cells}</table></div>
      <div><h2>Per class</h2><table><tr><th>class</th><th class="num">precision</th><th class="num">recall</th><th class="num">F1</th>
      <th class="num">support</th></tr>${perClass}</table></div></div>
    <h2 id="cell-title"></h2><div id="cell" class="gallery"></div>
    <h2>The most confident mistakes</h2><div class="gallery" id="mistakes">${mistakes || '<p class="muted">none</p>'}</div>`;
  section.querySelector('.confusion').addEventListener('click', async e => {
    const td = e.target.closest('td[data-truth]');
    if (!td) return;
    section.querySelectorAll('.confusion td.sel').forEach(x => x.classList.remove('sel'));
    td.classList.add('sel');
    const t = +td.dataset.truth, p = +td.dataset.predicted;
    const cell = await api(`/api/runs/${encodeURIComponent(id)}/cell?truth=${t}&predicted=${p}`);
    document.getElementById('cell-title').textContent = `true ${classes[t]}, predicted ${classes[p]}: ${cell.count} test image(s)`
      + (cell.count > cell.samples.length ? `, the ${cell.samples.length} most confident shown` : '');
    document.getElementById('cell').innerHTML = cell.samples.map(s => `<figure><img src="/api/runs/${esc(id)}/test-images/${s.index}.png"
      alt="test image ${s.index}">#${s.index} (${fmt(s.probability, 2)})</figure>`).join('');
  });
}

// ---------------------------------------------------------------- compare
async function compareView(ids) {
  if (!ids.length) {
    view.innerHTML = '<h1>Compare</h1><p>Tick two or more runs in the <a href="#/">runs table</a> and press "compare selected".</p>';
    return;
  }
  const runs = await Promise.all(ids.map(id => api('/api/runs/' + encodeURIComponent(id))));
  const label = (r, i) => `${i + 1}: ${r.experiment} (${r.started})`;
  view.innerHTML = `<h1>Compare ${runs.length} runs</h1>
    <div class="charts"><div id="cacc" class="chart"></div><div id="closs" class="chart"></div></div>
    <h2>Configs</h2><label><input type="checkbox" id="only"> only the differences</label>
    <table class="diff" id="diff"></table>`;
  const series = (key) => runs.map((r, i) => ({name: label(r, i), type: 'line', showSymbol: false,
    data: r.history.map(h => [h.epoch, h[key]])}));
  const opt = (title, key) => ({title: {text: title, left: 'center', textStyle: {fontSize: 13}}, tooltip: {trigger: 'axis'},
    legend: {bottom: 0, type: 'scroll'}, grid: {left: 55, right: 25, top: 35, bottom: 80}, xAxis: {type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 24, minInterval: 1, min: 1},
    yAxis: {type: 'value', scale: true}, dataZoom: [{type: 'inside'}, {type: 'slider', bottom: 28, height: 16}], series: series(key)});
  chart(document.getElementById('cacc')).setOption(opt('validation accuracy', 'val_accuracy'));
  chart(document.getElementById('closs')).setOption(opt('validation loss', 'val_loss'));
  const keys = [...new Set(runs.flatMap(r => Object.keys(r.config || {})))];
  const draw = () => {
    const only = document.getElementById('only').checked;
    const rows = keys.map(k => {
      const values = runs.map(r => (r.config || {})[k]);
      const differs = values.some(v => v !== values[0]);
      if (only && !differs) return '';
      return `<tr><td>${esc(k)}</td>${values.map(v => `<td class="${differs ? 'differs' : ''}">${esc(v ?? '-')}</td>`).join('')}</tr>`;
    }).join('');
    const results = ['test_accuracy', 'test_loss', 'val_accuracy', 'epochs', 'params', 'seconds_per_epoch'].map(k =>
      `<tr><td><b>${k}</b></td>${runs.map(r => `<td>${typeof r[k] === 'number' ? fmt(r[k], k === 'epochs' || k === 'params' ? 0 : 4) : ''}</td>`).join('')}</tr>`).join('');
    document.getElementById('diff').innerHTML = `<tr><th>key</th>${runs.map((r, i) => `<th><a href="#/run/${esc(r.id)}">${esc(label(r, i))}</a></th>`).join('')}</tr>`
      + results + rows;
  };
  document.getElementById('only').addEventListener('change', draw);
  draw();
}

// ---------------------------------------------------------------- sweeps
async function sweepsView() {
  const sweeps = await api('/api/sweeps');
  view.innerHTML = '<h1>Sweeps</h1>' + (sweeps.length ? '<table><tr><th>sweep</th><th>folder</th></tr>' + sweeps.map(s =>
    `<tr><td><a href="#/sweep/${esc(s.id)}">${esc(s.name)}</a></td><td>${esc(s.folder)}</td></tr>`).join('') + '</table>'
    : '<p class="muted">No sweep folders under the served directories.</p>');
}

async function sweepView(id) {
  const s = await api('/api/sweeps/' + encodeURIComponent(id));
  view.innerHTML = `<h1>Sweep ${esc(s.name)}</h1><p class="muted">${esc(s.description || s.folder)} · ranked by ${esc(s.metric)} · ${s.points.length} points</p>
    <div class="charts"><div id="heat" class="chart" style="height:420px"></div><div id="par" class="chart" style="height:420px"></div></div>
    <h2>The best points' validation accuracy</h2><div id="best" class="chart"></div>`;
  const axes = s.axes.map(a => a.name);
  const pts = s.points;
  if (axes.length >= 1) {
    const xs = [...new Set(pts.map(p => p.labels[0]))];
    const ys = axes.length > 1 ? [...new Set(pts.map(p => p.labels[1]))] : [''];
    const cells = new Map();
    pts.forEach(p => {
      const key = p.labels[0] + '|' + (axes.length > 1 ? p.labels[1] : '');
      const prev = cells.get(key);
      if (!prev || (p.metric !== null && (prev.metric === null || (s.higher_is_better ? p.metric > prev.metric : p.metric < prev.metric)))) cells.set(key, p);
    });
    const data = [...cells.entries()].map(([k, p]) => {
      const [x, y] = k.split('|');
      return {value: [xs.indexOf(x), ys.indexOf(y), p.metric === null ? '-' : p.metric], point: p};
    });
    const values = pts.map(p => p.metric).filter(v => v !== null);
    const heat = chart(document.getElementById('heat'));
    heat.setOption({
      title: {text: `${s.metric}${axes.length > 2 ? ' (best over the other axes)' : ''}`, left: 'center', textStyle: {fontSize: 13}},
      tooltip: {formatter: e => `${axes.map((a, i) => esc(a) + ' = ' + esc(e.data.point.labels[i])).join('<br>')}<br>${esc(s.metric)}: ${fmt(e.data.point.metric)}
        <br>val_accuracy ${fmt(e.data.point.val_accuracy)}<br>test_accuracy ${fmt(e.data.point.test_accuracy)}<br>${esc(e.data.point.status)}<br><i>click to open the run</i>`},
      grid: {left: 90, right: 20, top: 40, bottom: 90},
      xAxis: {type: 'category', data: xs, name: axes[0], nameLocation: 'center', nameGap: 28},
      yAxis: {type: 'category', data: ys, name: axes[1] || '', nameLocation: 'center', nameGap: 70},
      visualMap: {min: Math.min(...values), max: Math.max(...values), calculable: true, orient: 'horizontal', left: 'center', bottom: 0,
        inRange: {color: s.higher_is_better ? ['#f7fbff', '#08306b'] : ['#08306b', '#f7fbff']}},
      series: [{type: 'heatmap', data, label: {show: true, color: '#111', textBorderColor: '#fff', textBorderWidth: 2, formatter: e => typeof e.data.value[2] === 'number' ? e.data.value[2].toFixed(3) : '-'}}],
    });
    heat.on('click', e => { if (e.data?.point?.run) location.hash = '#/run/' + e.data.point.run; });
  }
  const par = chart(document.getElementById('par'));
  const dims = axes.map((a, i) => {
    const numeric = pts.every(p => p.numbers[i] !== null);
    return numeric ? {dim: i, name: a, type: s.axes[i].log_scale ? 'log' : 'value'}
      : {dim: i, name: a, type: 'category', data: [...new Set(pts.map(p => p.labels[i]))]};
  });
  dims.push({dim: axes.length, name: s.metric, type: 'value', scale: true});
  par.setOption({title: {text: 'parallel coordinates: every point', left: 'center', textStyle: {fontSize: 13}},
    parallelAxis: dims, parallel: {left: 60, right: 60, top: 60, bottom: 30},
    visualMap: {show: false, dimension: axes.length, min: Math.min(...pts.map(p => p.metric ?? Infinity)), max: Math.max(...pts.map(p => p.metric ?? -Infinity)),
      inRange: {color: ['#d94e5d', '#eac736', '#50a3ba'].reverse()}},
    tooltip: {},
    series: [{type: 'parallel', lineStyle: {width: 1.5, opacity: 0.6},
      data: pts.filter(p => p.metric !== null).map(p => [...p.labels.map((l, i) => p.numbers[i] ?? l), p.metric])}]});
  const ranked = pts.filter(p => p.metric !== null && p.run).sort((a, b) => s.higher_is_better ? b.metric - a.metric : a.metric - b.metric).slice(0, 5);
  const runs = await Promise.all(ranked.map(p => api('/api/runs/' + p.run)));
  chart(document.getElementById('best')).setOption({tooltip: {trigger: 'axis'}, legend: {bottom: 0, type: 'scroll'},
    grid: {left: 55, right: 20, top: 20, bottom: 60}, xAxis: {type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 24, minInterval: 1, min: 1}, yAxis: {type: 'value', scale: true},
    dataZoom: [{type: 'inside'}],
    series: runs.map((r, i) => ({name: ranked[i].folder, type: 'line', showSymbol: false, data: r.history.map(h => [h.epoch, h.val_accuracy])}))});
}

// ---------------------------------------------------------------- try a model
async function tryView(id) {
  const runs = (await api('/api/runs')).filter(r => r.status === 'finished');
  view.innerHTML = `<h1>Try a model</h1>
    <div class="toolbar"><label>run <select id="model">${runs.map(r => `<option value="${esc(r.id)}">${esc(r.experiment)} · ${esc(r.started)}
      · test ${fmt(r.test_accuracy, 3)}</option>`).join('')}</select></label></div>
    ${runs.length ? '' : '<p class="muted">No finished run to try: train one first (./deepnets run configs/mnist-cnn.yaml).</p>'}
    <div class="cols">
      <div><p>Draw a digit (white on black, as MNIST), or upload a photo:</p>
        <canvas id="pad" width="280" height="280"></canvas><br>
        <button id="read">read it</button> <button id="clear" class="secondary">clear</button>
        <input type="file" id="file" accept="image/*"></div>
      <div id="result"></div>
    </div>
    <div id="maps" class="maps"></div>`;
  if (id && runs.some(r => r.id === id)) document.getElementById('model').value = id;
  const pad = document.getElementById('pad');
  const g = pad.getContext('2d');
  const clear = () => { g.fillStyle = 'black'; g.fillRect(0, 0, pad.width, pad.height); };
  clear();
  g.strokeStyle = 'white'; g.lineWidth = 20; g.lineCap = 'round'; g.lineJoin = 'round';
  let drawing = false;
  const at = e => { const r = pad.getBoundingClientRect(); return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height]; };
  pad.addEventListener('pointerdown', e => { drawing = true; const [x, y] = at(e); g.beginPath(); g.moveTo(x, y); g.lineTo(x + 0.1, y); g.stroke(); });
  pad.addEventListener('pointermove', e => { if (!drawing) return; const [x, y] = at(e); g.lineTo(x, y); g.stroke(); });
  const end = () => { if (drawing) { drawing = false; send(null); } };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointerleave', end);
  document.getElementById('clear').addEventListener('click', () => { clear(); document.getElementById('result').innerHTML = ''; document.getElementById('maps').innerHTML = ''; });
  document.getElementById('read').addEventListener('click', () => send(null));
  document.getElementById('file').addEventListener('change', e => { if (e.target.files[0]) send(e.target.files[0]); });
  async function send(file) {
    const model = document.getElementById('model').value;
    if (!model) return;
    const body = file || await new Promise(resolve => pad.toBlob(resolve, 'image/png'));
    const out = document.getElementById('result');
    out.innerHTML = '<p class="muted">reading...</p>';
    try {
      const r = await api(`/api/runs/${encodeURIComponent(model)}/predict?explain=1&maps=1`, {method: 'POST', body, headers: {'Content-Type': body.type || 'application/octet-stream'}});
      const x = r.explanation || {};
      out.innerHTML = `<h2>It reads <span id="label">${esc(r.label)}</span> (${fmt(r.probability, 3)})</h2>
        <table>${r.top.map(t => `<tr><td>${esc(t.label)}</td><td><span class="bar" style="width:${(t.probability * 200).toFixed(0)}px"></span> ${fmt(t.probability, 3)}</td></tr>`).join('')}</table>
        <div class="cols seen">
          <figure><img id="seen" src="${r.input_png}" alt="the image as the network saw it"><figcaption>as the network saw it</figcaption></figure>
          ${x.grad_cam_png ? `<figure><img id="gradcam" src="${x.grad_cam_png}" alt="Grad-CAM"><figcaption>Grad-CAM for ${esc(x.class)} over ${esc(x.grad_cam_layer)}</figcaption></figure>` : `<p class="muted">${esc(x.grad_cam_note || '')}</p>`}
          ${x.saliency_png ? `<figure><img id="saliency" src="${x.saliency_png}" alt="saliency"><figcaption>saliency: |d score / d pixel|</figcaption></figure>` : ''}
        </div>`;
      document.getElementById('maps').innerHTML = (r.feature_maps || []).length ? '<h2>Feature maps of every convolution</h2>'
        + r.feature_maps.map(m => `<figure><img src="${m.png}" alt="${esc(m.layer)}"><figcaption>${esc(m.layer)}: ${m.maps} maps of ${esc(m.size)}</figcaption></figure>`).join('') : '';
    } catch (e) {
      out.innerHTML = `<p class="error">${esc(e.message)}</p>`;
    }
  }
}

// ---------------------------------------------------------------- routing
async function route() {
  cleanup.forEach(f => f());
  cleanup = [];
  document.getElementById('live').textContent = '';
  const [, name = '', arg = ''] = location.hash.split('/');
  document.querySelectorAll('header nav a').forEach(a => a.classList.toggle('active',
    a.dataset.view === (name === 'run' || name === '' ? 'runs' : name === 'sweep' ? 'sweeps' : name)));
  try {
    if (name === 'run') await runView(decodeURIComponent(arg));
    else if (name === 'compare') await compareView(arg ? arg.split(',') : [...runsState.selected]);
    else if (name === 'sweeps') await sweepsView();
    else if (name === 'sweep') await sweepView(arg);
    else if (name === 'try') await tryView(arg);
    else await runsView();
  } catch (e) {
    view.innerHTML = `<p class="error">${esc(e.message)}</p>`;
  }
}
window.addEventListener('hashchange', route);
route();
