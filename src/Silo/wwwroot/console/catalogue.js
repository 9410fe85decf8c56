'use strict';
// Catalogue: the catalogue views per category, price, cart date and product, filtered by source.
(() => {
  const { api, chart, table, refresh } = shopstream;
  const source = document.getElementById('source');
  // The upper bounds of /api/analytics/catalogue/prices' buckets (CatalogueAnalytics.PriceBounds).
  const bounds = [10, 25, 50, 100, 250, 500, 1000];
  const bucketName = b => b === 0 ? `< ${bounds[0]}` : b >= bounds.length ? `≥ ${bounds[bounds.length - 1]}` : `${bounds[b - 1]}–${bounds[b]}`;

  async function load() {
    const q = source.value ? `?source=${encodeURIComponent(source.value)}` : '';
    const [sources, ratings, prices, carts, top] = await Promise.all([
      api(`/api/analytics/catalogue/sources${q}`),
      api(`/api/analytics/catalogue/ratings${q}`),
      api(`/api/analytics/catalogue/prices${q}`),
      api(`/api/analytics/catalogue/carts${q}`),
      api(`/api/analytics/catalogue/top-cart-products${q}${q ? '&' : '?'}limit=15`),
    ]);
    table('sources-table', 'Rows and averages per source (vw_data_source_comparison)', [
      { key: 'source', label: 'Source' }, { key: 'products', label: 'Products' }, { key: 'users', label: 'Users' },
      { key: 'carts', label: 'Carts' }, { key: 'cartItems', label: 'Cart items' }, { key: 'avgPrice', label: 'Average price' },
      { key: 'avgRating', label: 'Average rating' },
    ], sources);

    const ratingNames = ratings.map(r => `${r.category ?? '(none)'} · ${r.priceCategory ?? '(none)'}`);
    document.getElementById('chart-ratings').style.height = `${Math.max(340, 26 * ratings.length + 110)}px`;
    chart('chart-ratings', {
      title: 'Products and average rating per category and price category', horizontal: true,
      categories: ratingNames, xName: 'Products / rating', yName: 'Category · price category',
      series: [{ name: 'Products', data: ratings.map(r => r.productCount) }, { name: 'Average rating', data: ratings.map(r => r.avgRating) }],
    });

    const buckets = [...Array(bounds.length + 1).keys()];
    const priceSources = [...new Set(prices.map(p => p.source))];
    chart('chart-prices', {
      title: 'Price distribution per source', categories: buckets.map(bucketName), xName: 'Price', yName: 'Products',
      series: priceSources.map(s => ({ name: s, data: buckets.map(b => prices.find(p => p.source === s && p.bucket === b)?.products ?? 0) })),
    });
    chart('chart-weekday', {
      title: 'Carts per weekday', categories: carts.byWeekday.map(r => r.dayOfWeek), xName: 'Weekday (UTC)', yName: 'Carts',
      series: [{ name: 'Carts', data: carts.byWeekday.map(r => r.carts) }],
    });
    chart('chart-month', {
      title: 'Carts per month', categories: carts.byMonth.map(r => r.month), xName: 'Month (UTC)', yName: 'Carts',
      series: [{ name: 'Carts', data: carts.byMonth.map(r => r.carts) }],
    });
    chart('chart-top-products', {
      title: `Top ${top.length} cart products by revenue`, horizontal: true,
      categories: top.map(p => p.title ?? `${p.source} ${p.productId}`), xName: 'Revenue', yName: 'Product',
      series: [{ name: 'Revenue', data: top.map(p => p.revenue) }],
    });
    table('top-products-table', 'Top cart products by revenue', [
      { key: 'source', label: 'Source' }, { key: 'productId', label: 'Product id' }, { key: 'title', label: 'Title' },
      { key: 'quantity', label: 'Quantity' }, { key: 'revenue', label: 'Revenue' },
    ], top);
  }

  const reload = refresh(30, load);
  source.addEventListener('change', reload);
})();
