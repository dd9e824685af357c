/* pmsim: the what-if dashboard on a static page answers from a grid computed in advance (offline_grid.py).
   Runs only on a page that carries the widgets' state itself (an HTML export: no kernel behind it); in
   JupyterLab or Voila it does nothing. Plain JavaScript, nothing loaded from the network. */
(function () {
  'use strict';
  var source = document.currentScript && document.currentScript.previousElementSibling;
  if (!source || !source.classList.contains('pmsim-offline-grid')) return;
  var data;
  try { data = JSON.parse(source.textContent); } catch (e) { return; }
  var STATE = 'script[type="application/vnd.jupyter.widget-state+json"]';

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function attach(root) {
    root.classList.add('pmsim-offline');
    var levers = data.levers.filter(function (l) { return l.values.length > 1; });
    var choice = data.levers.map(function (l) { return l.plan; });
    var plan = choice.slice();

    // The note at the top: what the page can answer, and for what values.
    var note = root.querySelector('.pmsim-static-note .widget-html-content') || root.querySelector('.pmsim-static-note');
    if (note) {
      note.textContent = '';
      var p = el('div');
      p.appendChild(el('b', null, 'Static page: answers from scenarios computed in advance. '));
      p.appendChild(document.createTextNode(
        'The controls take only the values below; each combination was simulated when the page was made (' +
        data.rows.length.toLocaleString('en-US') + ' combinations from ' + data.simulations + ' simulations of ' +
        data.iterations.toLocaleString('en-US') + ' runs, seed ' + data.seed + '). The plots show the plan. ' +
        'For any other change, serve the live dashboard: '));
      p.appendChild(el('code', null, 'pmsim dashboard PROJECT'));
      note.appendChild(p);
      var list = el('ul', 'pmsim-grid-values');
      data.levers.forEach(function (l) {
        list.appendChild(el('li', null, l.label + ': ' + l.values.join(', ')));
      });
      var intro = el('div', null, 'Computed in advance for these values:');
      note.appendChild(intro);
      note.appendChild(list);
      if (data.live_only && data.live_only.length) {
        var live = el('div', 'pmsim-grid-live-only');
        live.appendChild(el('b', null, 'Only in the live dashboard: '));
        live.appendChild(document.createTextNode(data.live_only.join('; ') + '.'));
        note.appendChild(live);
      }
    }

    // The controls: the dashboard's own cannot recompute here; these take the grid's values only.
    var controls = root.querySelector('.pmsim-controls');
    var form = el('div', 'pmsim-grid-controls');
    form.appendChild(el('div', 'pmsim-grid-title', 'What if? (computed in advance)'));
    levers.forEach(function (l) {
      var i = data.levers.indexOf(l);
      var row = el('label', 'pmsim-grid-lever pmsim-grid-' + (l.id || l.key));
      row.appendChild(el('span', 'pmsim-grid-label', l.label));
      var input = el('input');
      var readout = el('span', 'pmsim-grid-readout', l.values[choice[i]]);
      if (l.kind === 'switch') {
        input.type = 'checkbox';
        input.checked = l.values[choice[i]] === 'on';
        input.addEventListener('change', function () {
          choice[i] = l.values.indexOf(input.checked ? 'on' : 'off');
          readout.textContent = l.values[choice[i]];
          update();
        });
      } else {
        input.type = 'range';
        input.min = '0';
        input.max = String(l.values.length - 1);
        input.step = '1';
        input.value = String(choice[i]);
        input.setAttribute('aria-valuetext', l.values[choice[i]]);
        input.addEventListener('input', function () {
          choice[i] = Number(input.value);
          readout.textContent = l.values[choice[i]];
          input.setAttribute('aria-valuetext', l.values[choice[i]]);
          update();
        });
      }
      input.setAttribute('aria-label', l.label);
      row.appendChild(input);
      row.appendChild(readout);
      form.appendChild(row);
    });
    var reset = el('button', 'pmsim-grid-reset', 'Back to the plan');
    reset.type = 'button';
    reset.addEventListener('click', function () {
      choice = plan.slice();
      levers.forEach(function (l) {
        var i = data.levers.indexOf(l);
        var input = form.querySelector('.pmsim-grid-' + (l.id || l.key) + ' input');
        if (l.kind === 'switch') input.checked = l.values[choice[i]] === 'on';
        else { input.value = String(choice[i]); input.setAttribute('aria-valuetext', l.values[choice[i]]); }
        form.querySelector('.pmsim-grid-' + (l.id || l.key) + ' .pmsim-grid-readout').textContent = l.values[choice[i]];
      });
      update();
    });
    form.appendChild(reset);
    if (controls) {
      Array.prototype.forEach.call(controls.children, function (c) { c.style.display = 'none'; });
      controls.appendChild(form);
    }

    var results = root.querySelector('.pmsim-results');
    var caption = el('div', 'pmsim-grid-caption',
                     'The plots show the plan as the page was made; the numbers above follow the controls.');
    if (results) results.insertBefore(caption, results.firstChild);
    var status = root.querySelector('.pmsim-status');

    function update() {
      var index = 0;
      data.levers.forEach(function (l, i) { index = index * l.values.length + choice[i]; });
      var row = data.rows[index];
      data.keys.forEach(function (key, k) {
        var card = root.querySelector('.pmsim-card.pmsim-' + key.replace(/_/g, '-'));
        if (!card) return;
        var value = card.querySelector('.pmsim-value');
        var noteBox = card.querySelector('.pmsim-note');
        if (value) value.textContent = data.texts[row[3 * k]];
        if (noteBox) {
          noteBox.textContent = '';
          var sign = row[3 * k + 2];
          var span = el('span', sign > 0 ? 'pmsim-up' : sign < 0 ? 'pmsim-down' : '', data.texts[row[3 * k + 1]]);
          noteBox.appendChild(span);
        }
      });
      var atPlan = choice.every(function (c, i) { return c === plan[i]; });
      if (results) results.classList.toggle('pmsim-grid-off-plan', !atPlan);
      if (status) {
        var what = data.levers.map(function (l, i) { return l.label + ' ' + l.values[choice[i]]; }).join(', ');
        status.textContent = 'Computed in advance: ' + data.iterations.toLocaleString('en-US') + ' runs, seed ' +
          data.seed + '; ' + what + '.';
      }
      root.setAttribute('data-pmsim-grid-row', String(index));
    }
    update();
  }

  var tries = 0;
  function look() {
    if (document.readyState === 'complete' && !document.querySelector(STATE)) return;  // a live page
    var roots = document.querySelectorAll('.pmsim-whatif:not(.pmsim-offline)');
    for (var r = 0; r < roots.length; r++) {
      if (roots[r].querySelector('.pmsim-card .pmsim-value') && document.querySelector(STATE)) {
        attach(roots[r]);
        return;
      }
    }
    if (++tries < 1200) setTimeout(look, 100);  // the widget manager renders the widgets after the page loads
  }
  look();
})();
