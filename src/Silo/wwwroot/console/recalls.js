'use strict';
// Recalls: RappelConso notices per month, category and risk, and the newest ones with links to their sheets.
(() => {
  const { api, chart, table, text, link, refresh } = shopstream;

  async function load() {
    const [months, categories, risks, newest] = await Promise.all([
      api('/api/analytics/recalls/by-month'), api('/api/analytics/recalls/by-category'),
      api('/api/analytics/recalls/by-risk'), api('/api/analytics/recalls/newest?limit=20'),
    ]);
    text('kpi-recalls', months.reduce((total, m) => total + m.recalls, 0));
    const ascending = [...months].reverse();
    chart('chart-by-month', {
      title: 'Recalls per month of publication', categories: ascending.map(m => m.month), xName: 'Month', yName: 'Recalls',
      series: [{ name: 'Recalls', data: ascending.map(m => m.recalls) }],
    });
    const topCategories = categories.slice(0, 15);
    chart('chart-by-category', {
      title: 'Recalls per product category', horizontal: true, categories: topCategories.map(c => c.category), xName: 'Recalls', yName: 'Category',
      series: [{ name: 'Recalls', data: topCategories.map(c => c.recalls) }],
    });
    const topRisks = risks.slice(0, 15);
    chart('chart-by-risk', {
      title: 'Recalls per risk (a notice counts under each of its risks)', horizontal: true, categories: topRisks.map(r => r.risk), xName: 'Recalls', yName: 'Risk',
      series: [{ name: 'Recalls', data: topRisks.map(r => r.recalls) }],
    });
    table('newest-table', 'The 20 newest notices', [
      { label: 'Notice', value: r => r.lienVersLaFicheRappel ? link(r.lienVersLaFicheRappel, r.numeroFiche) : r.numeroFiche },
      { key: 'datePublication', label: 'Published' }, { key: 'libelle', label: 'Product' }, { key: 'marqueProduit', label: 'Brand' },
      { key: 'categorieProduit', label: 'Category' }, { label: 'Risks', value: r => (r.risquesEncourus || []).join(', ') },
    ], newest);
  }

  refresh(30, load);
})();
