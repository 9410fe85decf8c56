'use strict';
// Clickstream: the six daily reports for the picked UTC date, sessions and conversion per day, events per minute.
(() => {
  const { api, chart, table, text, refresh, number } = shopstream;
  const date = document.getElementById('date');
  const sum = rows => rows.reduce((total, r) => total + r.views, 0);

  async function load() {
    if (!date.value) {
      const dates = await api('/api/analytics/clickstream/dates');
      if (dates.length === 0) {
        return;
      }
      date.min = dates[dates.length - 1].date;
      date.max = dates[0].date;
      date.value = dates[0].date;
    }
    const d = encodeURIComponent(date.value);
    const report = name => api(`/api/analytics/clickstream/reports/${name}?date=${d}`).then(r => r.rows);
    const [products, countries, referrers, stores, hourly, browsers, daily, perMinute] = await Promise.all([
      report('top-products'), report('top-countries'), report('top-referrers'), report('store-country'),
      report('hourly-product-views'), report('hourly-browser-os'),
      api('/api/analytics/clickstream/daily'), api('/api/analytics/clickstream/events-per-minute?minutes=60'),
    ]);
    text('kpi-views', sum(hourly));
    const day = daily.find(r => r.date === date.value);
    text('kpi-sessions', day ? day.sessions : 0);
    text('kpi-conversion', day && day.conversionRate !== null ? `${number.format(day.conversionRate * 100)} %` : '-');
    const newest = perMinute.rows[perMinute.rows.length - 1];
    text('kpi-epm', newest ? newest.events : 0);
    text('kpi-minute', newest ? newest.minute.substring(0, 16).replace('T', ' ') : '');

    chart('chart-top-products', {
      title: 'Top 10 products by views', horizontal: true, categories: products.map(p => p.name ?? p.productKey ?? '(none)'),
      xName: 'Product views', yName: 'Product', series: [{ name: 'Views', data: products.map(p => p.views) }],
    });
    chart('chart-top-countries', {
      title: 'Top 10 countries by product views', horizontal: true, categories: countries.map(c => c.countryName ?? '(unknown)'),
      xName: 'Product views', yName: 'Country', series: [{ name: 'Views', data: countries.map(c => c.views) }],
    });
    chart('chart-top-referrers', {
      title: 'Top 5 referring domains', horizontal: true, categories: referrers.map(r => r.referrerDomain),
      xName: 'Product views', yName: 'Referrer', series: [{ name: 'Views', data: referrers.map(r => r.views) }],
    });
    table('store-country-table', 'Product views per store and country (rank within the store)', [
      { key: 'storeId', label: 'Store' }, { key: 'countryName', label: 'Country' }, { key: 'views', label: 'Views' }, { key: 'rank', label: 'Rank' },
    ], stores);

    const hours = [...Array(24).keys()];
    chart('chart-hourly', {
      title: 'Product views per UTC hour', categories: hours.map(String), xName: 'Hour (UTC)', yName: 'Product views', labels: false,
      series: [{ name: 'Views', type: 'line', data: hours.map(h => sum(hourly.filter(r => r.hour === h))) }],
    });
    const kinds = [...new Set(browsers.map(b => `${b.browser ?? '?'} / ${b.os ?? '?'}`))];
    chart('chart-browser-os', {
      title: 'Product views per hour, browser and OS', categories: hours.map(String), xName: 'Hour (UTC)', yName: 'Product views', stack: true, labels: false,
      series: kinds.map(k => ({ name: k, data: hours.map(h => sum(browsers.filter(b => b.hour === h && `${b.browser ?? '?'} / ${b.os ?? '?'}` === k))) })),
    });
    chart('chart-daily', {
      title: 'Sessions and converted sessions per day', categories: daily.map(r => r.date), xName: 'Day (UTC)', yName: 'Sessions',
      series: [{ name: 'Sessions', data: daily.map(r => r.sessions) }, { name: 'Converted', data: daily.map(r => r.converted) }],
    });
    chart('chart-events-per-minute', {
      title: 'Events per minute (the hour up to the newest event)', categories: perMinute.rows.map(r => r.minute.substring(11, 16)),
      xName: 'Minute (UTC)', yName: 'Events', labels: false, series: [{ name: 'Events', type: 'line', data: perMinute.rows.map(r => r.events) }],
    });
  }

  const reload = refresh(30, load);
  date.addEventListener('change', reload);
})();
