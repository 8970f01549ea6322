/* Charts with Apache ECharts (vendored: echarts.min.js, pinned in echarts.lock.json), loaded only when a
 * page draws one. Each chart is drawn from the same rows as the data table beside it, so the table (and
 * its CSV) is the chart's record; the tests read the table, not the pixels. */
import { html, t } from '../render.js';
import { dataTable } from './ui.js';

let loading = null;
export function loadECharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = new URL('./echarts.min.js', import.meta.url).href;
      s.onload = () => resolve(window.echarts);
      s.onerror = () => { loading = null; reject(new Error(t('c.chart_failed'))); };
      document.head.appendChild(s);
    });
  }
  return loading;
}

/* The chart's place and its table. spec: {categories: [...], series: [{name, data, type?}], line?: {name, value}} */
export function chartBlock(id, title, spec, label) {
  const cols = [['category', label || ''], ...spec.series.map((s, i) => ['s' + i, s.name, { num: true }])];
  if (spec.line) cols.push(['line', spec.line.name, { num: true }]);
  const rows = spec.categories.map((c, j) => {
    const row = { category: c };
    spec.series.forEach((s, i) => { row['s' + i] = s.data[j]; });
    if (spec.line) row.line = spec.line.value;
    return row;
  });
  return html`<figure class="chart-block" id="${id}" data-chart="${id}">
<div class="chart" id="${id}-chart" role="img" aria-label="${title + '（' + t('c.chart_see_table') + '）'}"></div>
${dataTable(id + '-table', title, cols, rows, { file: id })}</figure>`;
}

/* Draws a chartBlock once it is on the page. kind: 'bar' | 'line'. */
export function drawChart(id, spec, kind) {
  const el = document.getElementById(id + '-chart');
  if (!el) return Promise.resolve(null);
  return loadECharts().then((echarts) => {
    if (!document.body.contains(el)) return null;
    const chart = echarts.init(el, null, { renderer: 'canvas' });
    const narrow = el.clientWidth < 560;
    const series = spec.series.map((s) => ({ name: s.name, type: s.type || kind || 'bar', data: s.data,
      stack: spec.stacked ? 'total' : undefined }));
    if (spec.line) {
      series.push({ name: spec.line.name, type: 'line', data: spec.categories.map(() => spec.line.value),
        symbol: 'none', lineStyle: { type: 'dashed', color: '#c62828' }, itemStyle: { color: '#c62828' } });
    }
    chart.setOption({
      animation: false, color: ['#9f1d20', '#1f6feb', '#1a7f37', '#9a6700', '#6f42c1', '#5b6270'],
      tooltip: { trigger: 'axis', renderMode: 'richText' }, legend: { top: 0 },
      grid: { left: 40, right: 16, top: 40, bottom: 48, containLabel: true },
      xAxis: { type: 'category', data: spec.categories,
        axisLabel: { interval: narrow ? 'auto' : 0, rotate: narrow || spec.categories.length > 6 ? 40 : 0 } },
      yAxis: { type: 'value', max: spec.max }, series
    });
    el.setAttribute('data-drawn', 'true');
    window.addEventListener('resize', () => chart.resize());
    return chart;
  }).catch((err) => { el.textContent = err.message; return null; });
}
