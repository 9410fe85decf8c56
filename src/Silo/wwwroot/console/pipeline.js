'use strict';
// Pipeline: sources (schedule, last run, watermark, run now, history), partitions with owner and lag, rejected
// records by stage and reason with their payload, silos, and the lake when it has files.
(() => {
  const { api, chart, table, text, refresh } = shopstream;
  let historyOf = null;
  let rejectedFilter = null;
  // Payloads the user opened stay open across the 5 s refreshes.
  const opened = new Set();

  function button(label, onClick, data) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    Object.entries(data || {}).forEach(([k, v]) => { b.dataset[k] = v; });
    b.addEventListener('click', onClick);
    return b;
  }

  function payload(r) {
    const details = document.createElement('details');
    details.open = opened.has(r.id);
    details.addEventListener('toggle', () => (details.open ? opened.add(r.id) : opened.delete(r.id)));
    const summary = document.createElement('summary');
    summary.textContent = r.payloadCut ? 'Payload (first 2000 characters)' : 'Payload';
    const pre = document.createElement('pre');
    pre.textContent = r.payload;
    details.append(summary, pre);
    return details;
  }

  async function runNow(name) {
    const message = document.getElementById('run-message');
    try {
      const started = await api(`/api/sources/${encodeURIComponent(name)}/run`, { method: 'POST' });
      message.textContent = `Run ${started.runId} of ${name} started.`;
    } catch (error) {
      message.textContent = `Run of ${name} not started: ${error.message}`;
    }
    historyOf = name;
    await reload();
  }

  async function loadSources() {
    const listed = await api('/api/sources');
    const sources = listed.filter(s => s.kind !== 'feed');
    const feeds = listed.filter(s => s.kind === 'feed');
    historyOf = historyOf || (sources[0] && sources[0].name);
    table('feeds-table', 'Feeds (foreign Kafka topics; counts are this silo\'s bridge since it started)', [
      { key: 'name', label: 'Feed' }, { label: 'Foreign topic', value: f => `${f.bootstrap}/${f.topic}` }, { key: 'shape', label: 'Shape' },
      { key: 'state', label: 'State' }, { label: 'Lag', value: f => f.lag === null ? `unknown: ${f.lagError}` : f.lag },
      { key: 'consumed', label: 'Consumed' }, { key: 'produced', label: 'Produced' }, { key: 'rejected', label: 'Rejected' },
      { label: 'Last error', value: f => f.lastError || '' },
    ], feeds);
    table('sources-table', 'Sources', [
      { key: 'name', label: 'Source' }, { label: 'Enabled', value: s => s.statusError ? `unknown: ${s.statusError}` : (s.enabled ? 'yes' : 'no') }, { key: 'schedule', label: 'Schedule (cron, UTC)' },
      { label: 'Last run', value: s => s.lastRun ? s.lastRun.startedAt : 'never' }, { label: 'Status', value: s => s.runningRunId ? 'running' : (s.lastRun ? s.lastRun.status : '') },
      { key: 'watermark', label: 'Watermark' }, { key: 'nextDue', label: 'Next due' },
      { label: 'Actions', value: s => {
        const span = document.createElement('span');
        span.append(button('Run now', () => runNow(s.name), { run: s.name }), ' ', button('History', () => { historyOf = s.name; reload(); }, { history: s.name }));
        return span;
      } },
    ], sources);
    if (historyOf) {
      const runs = await api(`/api/sources/${encodeURIComponent(historyOf)}/runs?limit=20`);
      table('runs-table', `Runs of ${historyOf} (newest first)`, [
        { key: 'runId', label: 'Run' }, { key: 'trigger', label: 'Trigger' }, { key: 'startedAt', label: 'Started' }, { key: 'finishedAt', label: 'Finished' },
        { key: 'status', label: 'Status' }, { key: 'recordsRead', label: 'Read' }, { key: 'recordsProduced', label: 'Produced' },
        { key: 'recordsRejected', label: 'Rejected' }, { key: 'error', label: 'Error' },
      ], runs);
    }
  }

  async function loadPartitions() {
    const live = await api('/api/analytics/pipeline/partitions');
    text('silos', live.clusterSilos.join(', '));
    text('silo', live.silo);
    const names = live.partitions.map(p => `${p.topic} [${p.partition}]`);
    document.getElementById('chart-lag').style.height = `${Math.max(340, 22 * names.length + 110)}px`;
    chart('chart-lag', {
      title: 'Lag per partition (messages not yet committed)', horizontal: true, categories: names, xName: 'Lag', yName: 'Topic [partition]',
      series: [{ name: 'Lag', data: live.partitions.map(p => p.lag ?? 0) }],
    });
    table('partitions-table', 'Partitions: the consumer group\'s offsets and lag; owner when this silo reads it', [
      { key: 'topic', label: 'Topic' }, { key: 'partition', label: 'Partition' }, { key: 'owner', label: 'Owner silo' },
      { key: 'committedOffset', label: 'Committed offset' }, { key: 'endOffset', label: 'End offset' }, { key: 'lag', label: 'Lag' },
      { key: 'consumedHere', label: 'Consumed here' }, { key: 'rejectedHere', label: 'Rejected here' },
    ], live.partitions);
  }

  async function loadRejected() {
    const summary = await api('/api/analytics/pipeline/rejected/summary');
    table('rejected-summary', 'Rejected records by stage and reason', [
      { key: 'stage', label: 'Stage' }, { key: 'reason', label: 'Reason' }, { key: 'records', label: 'Records' }, { key: 'lastRejectedAt', label: 'Last rejected' },
      { label: 'Browse', value: r => button('Show', () => { rejectedFilter = { stage: r.stage, reason: r.reason }; reload(); }) },
    ], summary);
    const q = rejectedFilter ? `&stage=${encodeURIComponent(rejectedFilter.stage)}&reason=${encodeURIComponent(rejectedFilter.reason)}` : '';
    document.getElementById('rejected-filter').textContent = rejectedFilter ? `Stage ${rejectedFilter.stage}, reason: ${rejectedFilter.reason}` : 'All stages and reasons';
    const rows = await api(`/api/analytics/pipeline/rejected?limit=20${q}`);
    table('rejected-list', 'Newest rejected records', [
      { key: 'id', label: 'Id' }, { key: 'stage', label: 'Stage' }, { key: 'reason', label: 'Reason' }, { key: 'topic', label: 'Topic' },
      { key: 'partition', label: 'Partition' }, { key: 'offset', label: 'Offset' }, { key: 'rejectedAt', label: 'Rejected at' }, { label: 'Payload', value: payload },
    ], rows);
  }

  async function loadLake() {
    const lake = await api('/api/analytics/pipeline/lake');
    document.getElementById('lake').hidden = lake.tables.length === 0 && lake.snapshots.length === 0;
    table('lake-tables', 'Lake tables (live files)', [
      { key: 'tableName', label: 'Table' }, { key: 'files', label: 'Files' }, { key: 'rows', label: 'Rows' }, { key: 'bytes', label: 'Bytes' },
      { key: 'lastCommittedAt', label: 'Last commit' },
    ], lake.tables);
    table('lake-snapshots', 'Newest lake snapshots', [
      { key: 'snapshotId', label: 'Snapshot' }, { key: 'operation', label: 'Operation' }, { key: 'committedAt', label: 'Committed' },
      { key: 'filesAdded', label: 'Files added' }, { key: 'filesRemoved', label: 'Files removed' },
    ], lake.snapshots);
  }

  document.getElementById('rejected-all').addEventListener('click', () => { rejectedFilter = null; reload(); });
  const reload = refresh(5, () => Promise.all([loadSources(), loadPartitions(), loadRejected(), loadLake()]));
})();
