-- The statements of the claim/submit path (as src/store/sqlite/ prepares them, literals in place
-- of the bound values), for `EXPLAIN QUERY PLAN` on a benchmark database:
--   sqlite3 -readonly DB '.read bench/server/hot_queries.sql'
-- Every line of the plan must be a SEARCH (index or primary key); a SCAN of a large table
-- (items, queue, leases, annotations, predictions) in this path is a bug.
.eqp on
-- authentication and authorisation (every request)
SELECT u.id, u.name, u.role, u.pools, u.created_at, u.disabled, u.token_hash FROM users u WHERE u.token_hash=x'00' AND u.disabled=0;
SELECT id, name, task_type, config, created_at FROM projects WHERE name='load';
SELECT id, name, task_type, config, created_at FROM projects WHERE id=1;
SELECT name FROM labels WHERE project_id=1 ORDER BY idx;
SELECT 1 FROM project_members WHERE project_id=1 AND user_id=2;
SELECT id, item_id, project_id, annotator, pool, kind, created_at, expires_at, state FROM leases WHERE id='x';
-- claim (Store::Claim, one pool, any kind)
SELECT q.id, q.item_id, q.pool, q.kind, q.priority, q.overlap, q.done FROM queue q
 WHERE q.project_id=1 AND q.open=1 AND q.pool IN ('general')
 AND q.done + (SELECT COUNT(*) FROM leases l WHERE l.queue_id=q.id AND l.state='active' AND l.expires_at>0) < q.overlap
 AND NOT EXISTS (SELECT 1 FROM leases m WHERE m.queue_id=q.id AND m.annotator='ann1' AND
   (m.state IN ('submitted','skipped') OR (m.state='active' AND m.expires_at>0)))
 ORDER BY q.priority DESC, q.id LIMIT 1;
SELECT id, project_id, external_id, text, vector, meta, content_hash, split, state, labels, label_source, label_annotator, label_confidence FROM items WHERE id=1;
SELECT item_id, model_version, label, confidence, distribution, created_at FROM predictions WHERE item_id=1 ORDER BY created_at DESC, model_version DESC LIMIT 1;
-- submit (idempotency record, FinishLease, AppendAnnotation, MaybeAdjudicate)
SELECT fingerprint, status, body FROM idempotency WHERE user_id=1 AND key='k';
SELECT queue_id, annotator, state, expires_at FROM leases WHERE id='x';
UPDATE leases SET state='submitted', finished_at=0 WHERE id='x' AND state='active';
UPDATE queue SET done=done+1, open=CASE WHEN done+1>=overlap THEN 0 ELSE open END WHERE id=1;
SELECT project_id, state FROM items WHERE id=1;
UPDATE items SET labels='[]', label_source='human', label_annotator='a', label_confidence=NULL, state='labeled' WHERE id=1;
SELECT id, project_id, item_id, pool, kind, priority, overlap, done FROM queue WHERE item_id=1 AND kind='review' ORDER BY id DESC LIMIT 1;
SELECT id, item_id, labels, source, annotator, confidence, time_spent_ms, kind, created_at FROM annotations WHERE item_id=1 ORDER BY id;
