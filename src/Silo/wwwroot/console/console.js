'use strict';
// What every console page shares: JSON from /api, ECharts (SVG renderer, so numbers are in the DOM), tables, auto
// refresh and the "last updated" time. No framework and no bundler: ECharts is the only library.
const shopstream = (() => {
  // Okabe-Ito: distinguishable with the common colour-vision deficiencies.
  const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
  const charts = new Map();
  const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

  async function api(path, init) {
    const response = await fetch(path, Object.assign({ headers: { Accept: 'application/json' } }, init));
    const text = await response.text();
    const body = text ? JSON.parse(text) : null;
    if (!response.ok) {
      throw new Error(`${path}: ${response.status} ${body && body.error ? body.error : ''}`.trim());
    }
    return body;
  }

  /** A bar or line chart: axis titles, value labels on the bars, one series per entry of `series`. */
  function chart(id, { title, categories, series, xName, yName, horizontal = false, stack = false, labels = true }) {
    const element = document.getElementById(id);
    let instance = charts.get(id);
    if (!instance) {
      instance = echarts.init(element, null, { renderer: 'svg' });
      charts.set(id, instance);
    }
    // xName/yName name the horizontal and vertical axis as drawn: for a horizontal chart the values run along x.
    const categoryAxis = {
      type: 'category', data: categories, name: horizontal ? yName : xName, nameLocation: 'middle', nameGap: horizontal ? 12 : 28,
      axisLabel: { interval: categories.length <= 12 ? 0 : 'auto', hideOverlap: true, width: horizontal ? 140 : 90, overflow: 'truncate' },
    };
    const valueAxis = { type: 'value', name: horizontal ? xName : yName, nameLocation: 'middle', nameGap: horizontal ? 28 : 48 };
    instance.setOption({
      color: palette,
      animation: false,
      aria: { enabled: true },
      title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
      legend: { show: series.length > 1, top: 24, type: 'scroll' },
      tooltip: { trigger: 'axis' },
      grid: { left: 8, right: 32, top: series.length > 1 ? 64 : 44, bottom: 8, outerBoundsContain: 'all' },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? Object.assign(categoryAxis, { inverse: true, nameRotate: 90 }) : valueAxis,
      series: series.map(s => ({
        name: s.name,
        type: s.type || 'bar',
        data: s.data,
        stack: stack ? 'all' : undefined,
        label: { show: labels && s.type !== 'line', position: stack ? 'inside' : (horizontal ? 'right' : 'top'), formatter: p => number.format(p.value) },
      })),
    }, true);
    element.setAttribute('role', 'img');
    return instance;
  }

  function cell(row, column) {
    const td = document.createElement('td');
    const value = typeof column.value === 'function' ? column.value(row) : row[column.key];
    if (value instanceof Node) {
      td.append(value);
    } else if (typeof value === 'number') {
      td.className = 'num';
      td.textContent = number.format(value);
    } else {
      td.textContent = value === null || value === undefined ? '' : String(value);
    }
    return td;
  }

  /** Replaces the contents of #id with a table: a caption, a header row of `columns` and one row per entry of `rows`. */
  function table(id, caption, columns, rows) {
    const t = document.createElement('table');
    t.createCaption().textContent = caption;
    const head = t.createTHead().insertRow();
    for (const column of columns) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = column.label;
      head.append(th);
    }
    const body = t.createTBody();
    for (const row of rows) {
      const tr = body.insertRow();
      columns.forEach(c => tr.append(cell(row, c)));
    }
    if (rows.length === 0) {
      const td = body.insertRow().insertCell();
      td.colSpan = columns.length;
      td.className = 'empty';
      td.textContent = 'no rows';
    }
    const wrap = document.getElementById(id);
    wrap.replaceChildren(t);
    return t;
  }

  function text(id, value) {
    document.getElementById(id).textContent = typeof value === 'number' ? number.format(value) : value;
  }

  function link(href, label) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = label;
    a.rel = 'noopener noreferrer';
    a.target = '_blank';
    return a;
  }

  function setStatus(message) {
    document.getElementById('status').textContent = message;
  }

  /** Runs `load` now and every `seconds`; shows when it last succeeded, or why it failed. Returns a function that reloads now. */
  function refresh(seconds, load) {
    frame();
    if (typeof echarts === 'undefined') {
      setStatus('ECharts is missing from this build of the silo: run `npm ci` at the repository root and build again.');
      return () => Promise.resolve();
    }
    let running = null;
    const run = () => {
      running = running || (async () => {
        try {
          await load();
          const now = new Date();
          const time = document.getElementById('last-updated');
          time.dateTime = now.toISOString();
          time.textContent = now.toLocaleTimeString('en-GB');
          setStatus('');
        } catch (error) {
          setStatus(`Could not load: ${error.message}`);
        } finally {
          running = null;
        }
      })();
      return running;
    };
    document.getElementById('refresh-every').textContent = `${seconds} s`;
    setInterval(run, seconds * 1000);
    run();
    return run;
  }

  // (refresh() runs after this line: page scripts are deferred.)
  const pages = [['catalogue', './', 'Catalogue'], ['clickstream', 'clickstream.html', 'Clickstream'], ['recalls', 'recalls.html', 'Recalls'], ['pipeline', 'pipeline.html', 'Pipeline']];

  /** The header every page shares (title, navigation, last updated) and the page's heading and status line. */
  let framed = false;
  function frame() {
    if (framed) {
      return;
    }
    framed = true;
    const current = document.body.dataset.page;
    const header = document.createElement('header');
    const h1 = document.createElement('h1');
    h1.textContent = 'Shopstream console';
    const nav = document.createElement('nav');
    nav.setAttribute('aria-label', 'Console pages');
    const list = document.createElement('ul');
    for (const [key, href, label] of [...pages, ['dashboard', '/dashboard/', 'Orleans dashboard']]) {
      const a = document.createElement('a');
      a.href = href;
      a.textContent = label;
      if (key === current) {
        a.setAttribute('aria-current', 'page');
      }
      const li = document.createElement('li');
      li.append(a);
      list.append(li);
    }
    nav.append(list);
    const updated = document.createElement('p');
    updated.className = 'updated';
    updated.innerHTML = 'Last updated: <time id="last-updated">never</time> (every <span id="refresh-every"></span>)';
    header.append(h1, nav, updated);
    document.body.prepend(header);
    const heading = document.createElement('h2');
    heading.textContent = (pages.find(p => p[0] === current) || [, , ''])[2];
    const status = document.createElement('p');
    status.id = 'status';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    document.querySelector('main').prepend(heading, status);
  }

  // No favicon request (the silo serves none; a 404 would be an error in the browser's console).
  const icon = document.createElement('link');
  icon.rel = 'icon';
  icon.href = 'data:,';
  document.head.append(icon);
  document.addEventListener('DOMContentLoaded', frame);
  window.addEventListener('resize', () => charts.forEach(c => c.resize()));
  return { api, chart, table, text, link, refresh, setStatus, number };
})();
