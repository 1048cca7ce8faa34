#include "store/sqlite/migrations.h"

namespace hitloop::sqlite {

namespace {

// 1: projects, labels, items, annotation history, predictions, queue, leases.
constexpr const char kVersion1[] = R"sql(
CREATE TABLE projects(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  task_type TEXT NOT NULL,
  config TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL);
CREATE TABLE labels(
  project_id INTEGER NOT NULL REFERENCES projects(id),
  idx INTEGER NOT NULL,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY(project_id, idx),
  UNIQUE(project_id, name));
CREATE TABLE items(
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  external_id TEXT NOT NULL,
  text TEXT NOT NULL,
  vector BLOB,
  meta TEXT NOT NULL DEFAULT '{}',
  content_hash TEXT NOT NULL,
  split TEXT NOT NULL CHECK(split IN ('pool','gold')),
  state TEXT NOT NULL CHECK(state IN ('unlabeled','queued','auto','labeled')),
  labels TEXT,
  label_source TEXT CHECK(label_source IS NULL OR label_source IN ('human','model','rule','audit')),
  label_annotator TEXT,
  label_confidence REAL,
  import_tag TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE(project_id, external_id));
CREATE INDEX items_by_state ON items(project_id, state, label_source, split);
CREATE INDEX items_by_label ON items(project_id, labels) WHERE labels IS NOT NULL;
CREATE TABLE annotations(
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL,
  item_id INTEGER NOT NULL REFERENCES items(id),
  labels TEXT NOT NULL,
  source TEXT NOT NULL CHECK(source IN ('human','model','rule','audit')),
  annotator TEXT NOT NULL,
  confidence REAL,
  time_spent_ms INTEGER NOT NULL DEFAULT 0,
  kind TEXT NOT NULL DEFAULT 'label',
  created_at INTEGER NOT NULL);
CREATE INDEX annotations_by_item ON annotations(item_id);
CREATE INDEX annotations_by_project ON annotations(project_id, id);
CREATE TRIGGER annotations_append_only_u BEFORE UPDATE ON annotations
  BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;
CREATE TRIGGER annotations_append_only_d BEFORE DELETE ON annotations
  BEGIN SELECT RAISE(ABORT, 'annotations are append-only'); END;
CREATE TABLE predictions(
  project_id INTEGER NOT NULL,
  item_id INTEGER NOT NULL REFERENCES items(id),
  model_version TEXT NOT NULL,
  label TEXT NOT NULL,
  confidence REAL NOT NULL,
  distribution BLOB,
  created_at INTEGER NOT NULL,
  PRIMARY KEY(project_id, item_id, model_version)) WITHOUT ROWID;
CREATE INDEX predictions_by_item ON predictions(item_id);
CREATE TABLE queue(
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  item_id INTEGER NOT NULL REFERENCES items(id),
  pool TEXT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('review','audit','adjudicate')),
  priority REAL NOT NULL DEFAULT 0,
  overlap INTEGER NOT NULL DEFAULT 1 CHECK(overlap >= 1),
  done INTEGER NOT NULL DEFAULT 0,
  open INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL);
CREATE UNIQUE INDEX queue_one_open ON queue(item_id, kind) WHERE open = 1;
CREATE INDEX queue_claim ON queue(project_id, open, pool, priority DESC, id);
CREATE TABLE leases(
  id TEXT PRIMARY KEY,
  queue_id INTEGER NOT NULL REFERENCES queue(id),
  item_id INTEGER NOT NULL,
  project_id INTEGER NOT NULL,
  annotator TEXT NOT NULL,
  pool TEXT NOT NULL,
  kind TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('active','submitted','released','skipped')),
  finished_at INTEGER);
CREATE INDEX leases_by_queue ON leases(queue_id, state, expires_at);
CREATE INDEX leases_by_project ON leases(project_id, state, expires_at);
CREATE UNIQUE INDEX leases_one_submit ON leases(queue_id, annotator) WHERE state = 'submitted';
)sql";

// 2 (server): users with hashed API tokens, project membership, browser sessions,
// idempotency keys.
constexpr const char kVersion2[] = R"sql(
CREATE TABLE users(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK(role IN ('annotator','reviewer','admin')),
  pools TEXT NOT NULL DEFAULT '["general"]',
  token_hash BLOB NOT NULL UNIQUE,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL);
CREATE TABLE project_members(
  project_id INTEGER NOT NULL REFERENCES projects(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  PRIMARY KEY(project_id, user_id));
CREATE INDEX project_members_by_user ON project_members(user_id);
CREATE TABLE sessions(
  hash BLOB PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL);
CREATE TABLE idempotency(
  user_id INTEGER NOT NULL REFERENCES users(id),
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY(user_id, key));
)sql";

// 3 (loop): one JSON record per cycle of the loop.
constexpr const char kVersion3[] = R"sql(
CREATE TABLE cycles(
  project_id INTEGER NOT NULL REFERENCES projects(id),
  cycle INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY(project_id, cycle));
)sql";

// 4: a submit looks up the item's newest queue entry (adjudication); without this index
// that was a full scan of the queue (3.5 round trips/s on a 1M-item project).
constexpr const char kVersion4[] = R"sql(
CREATE INDEX queue_by_item ON queue(item_id, kind, id);
)sql";

// 5 (autolabel): detector answers per item (language, format, boilerplate).
constexpr const char kVersion5[] = R"sql(
CREATE TABLE detections(
  item_id INTEGER NOT NULL REFERENCES items(id),
  detector TEXT NOT NULL,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  value TEXT NOT NULL,
  confidence REAL NOT NULL,
  detail TEXT,
  PRIMARY KEY(item_id, detector)) WITHOUT ROWID;
CREATE INDEX detections_by_project ON detections(project_id, item_id);
)sql";

// 6: open queue entries per (project, pool, kind), kept by triggers in the same transaction
// as every queue write, so queue sizes (progress, dashboard, status) are a lookup instead
// of a count over the queue (~600 ms on a 1M-entry queue). No OR IGNORE in the triggers: an
// outer statement's conflict policy (Enqueue's upsert) would override it.
constexpr const char kVersion6[] = R"sql(
CREATE TABLE queue_open_counts(
  project_id INTEGER NOT NULL,
  pool TEXT NOT NULL,
  kind TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY(project_id, pool, kind)) WITHOUT ROWID;
INSERT INTO queue_open_counts(project_id, pool, kind, n)
  SELECT project_id, pool, kind, COUNT(*) FROM queue WHERE open=1 GROUP BY project_id, pool, kind;
CREATE TRIGGER queue_open_insert AFTER INSERT ON queue WHEN new.open=1 BEGIN
  INSERT INTO queue_open_counts(project_id, pool, kind, n) SELECT new.project_id, new.pool, new.kind, 0
    WHERE NOT EXISTS (SELECT 1 FROM queue_open_counts
                      WHERE project_id=new.project_id AND pool=new.pool AND kind=new.kind);
  UPDATE queue_open_counts SET n=n+1 WHERE project_id=new.project_id AND pool=new.pool AND kind=new.kind;
END;
CREATE TRIGGER queue_open_delete AFTER DELETE ON queue WHEN old.open=1 BEGIN
  UPDATE queue_open_counts SET n=n-1 WHERE project_id=old.project_id AND pool=old.pool AND kind=old.kind;
END;
CREATE TRIGGER queue_open_update AFTER UPDATE OF open, pool, kind, project_id ON queue
  WHEN old.open != new.open OR old.pool != new.pool OR old.kind != new.kind OR old.project_id != new.project_id
BEGIN
  UPDATE queue_open_counts SET n=n-1
    WHERE old.open=1 AND project_id=old.project_id AND pool=old.pool AND kind=old.kind;
  INSERT INTO queue_open_counts(project_id, pool, kind, n)
    SELECT new.project_id, new.pool, new.kind, 0
    WHERE new.open=1 AND NOT EXISTS (SELECT 1 FROM queue_open_counts
                                     WHERE project_id=new.project_id AND pool=new.pool AND kind=new.kind);
  UPDATE queue_open_counts SET n=n+1
    WHERE new.open=1 AND project_id=new.project_id AND pool=new.pool AND kind=new.kind;
END;
)sql";

// 7: a claim hint. busy_until > now means every slot of the entry is held by an unexpired
// lease until at least then, so a claim can pass the entry by looking at the index alone
// instead of counting its leases (with 64-200 annotators the claim walked past that many
// held entries at the top of the queue, two lease lookups each). Set by Claim when a lease
// fills the last slot; reset to 0 whenever a lease ends early (skip, release, submit) or
// the entry's overlap changes. The lease checks stay in the claim: the hint only skips.
constexpr const char kVersion7[] = R"sql(
ALTER TABLE queue ADD COLUMN busy_until INTEGER NOT NULL DEFAULT 0;
DROP INDEX queue_claim;
CREATE INDEX queue_claim ON queue(project_id, open, pool, priority DESC, id, busy_until);
)sql";

// 8 (server, annotator page): why an entry was queued (shown with the task); a person's
// own recent answers (the history panel) without a scan of the leases; claims of one kind
// (the server interleaves audits with reviews) without a walk past the other kinds.
constexpr const char kVersion8[] = R"sql(
ALTER TABLE queue ADD COLUMN reason TEXT NOT NULL DEFAULT '';
CREATE INDEX leases_by_annotator ON leases(project_id, annotator, state, created_at);
CREATE INDEX queue_claim_kind ON queue(project_id, open, pool, kind, priority DESC, id, busy_until);
)sql";

// 9: an admin can take an item out of the project (store.h, SetItemHold): NULL = in the
// project; 'quarantined' = out of queues and cycles, still exported; 'deleted' = content
// erased, out of everything but the append-only annotation history.
constexpr const char kVersion9[] = R"sql(
ALTER TABLE items ADD COLUMN hold TEXT CHECK(hold IS NULL OR hold IN ('quarantined','deleted'));
)sql";

// 10: answers to gold questions as routing counts them (loop/gold.h): the newest per (project,
// annotator, item), whether it equals the known answer, and whether it still counts (an admin
// clearing a flag stops counting the earlier ones).
constexpr const char kVersion10[] = R"sql(
CREATE TABLE gold_answers(
  project_id INTEGER NOT NULL REFERENCES projects(id),
  annotator TEXT NOT NULL,
  item_id INTEGER NOT NULL REFERENCES items(id),
  correct INTEGER NOT NULL,
  counted INTEGER NOT NULL DEFAULT 1,
  answered_at INTEGER NOT NULL,
  PRIMARY KEY(project_id, annotator, item_id)) WITHOUT ROWID;
)sql";

// 11 (the data browser, store/item_query.h): a state filter in id order. The index's rows are in
// (project, state, rowid) order, so a page of one state is a range read from its cursor on; without
// it a page of a rare state walked the whole project in rowid order.
constexpr const char kVersion11[] = R"sql(
CREATE INDEX items_by_project_state ON items(project_id, state);
)sql";

// 12 (review workflow, loop/review.h): verdicts on people's answers, append-only; a rejected
// answer goes back to its annotator as a queue entry of kind 'rework:NAME' in the reserved pool
// '_rework' (one open per item and person, by queue_one_open). The queue's kind CHECK is widened
// in place (SQLite cannot alter a CHECK; https://sqlite.org/lang_altertable.html, "making other
// kinds of table schema changes": a looser constraint every existing row satisfies needs no
// rebuild). The CREATE TABLE below changes the schema cookie, so every connection re-reads the
// schema; RESET makes this one re-read it now.
constexpr const char kVersion12[] = R"sql(
PRAGMA writable_schema=ON;
UPDATE sqlite_schema SET sql=replace(sql, 'CHECK(kind IN (''review'',''audit'',''adjudicate''))',
  'CHECK(kind IN (''review'',''audit'',''adjudicate'') OR kind LIKE ''rework:%'')')
  WHERE type='table' AND name='queue';
PRAGMA writable_schema=OFF;
CREATE TABLE reviews(
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  annotation_id INTEGER NOT NULL REFERENCES annotations(id),
  item_id INTEGER NOT NULL REFERENCES items(id),
  annotator TEXT NOT NULL,
  reviewer TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK(verdict IN ('approve','reject')),
  comment TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL);
CREATE INDEX reviews_by_annotation ON reviews(annotation_id);
CREATE INDEX reviews_by_item ON reviews(item_id, id);
CREATE INDEX reviews_by_project ON reviews(project_id, id);
CREATE INDEX annotations_by_item_annotator ON annotations(item_id, annotator, id);
CREATE TRIGGER reviews_append_only_u BEFORE UPDATE ON reviews
  BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
CREATE TRIGGER reviews_append_only_d BEFORE DELETE ON reviews
  BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
PRAGMA writable_schema=RESET;
)sql";

// 13 (store/action_log.h): the admin action log, append-only: who changed users, membership,
// project settings, labels, item holds and gold flags, written in the change's transaction.
constexpr const char kVersion13[] = R"sql(
CREATE TABLE admin_actions(
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  project TEXT NOT NULL DEFAULT '',
  target TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '{}');
CREATE INDEX admin_actions_by_project ON admin_actions(project, id);
CREATE TRIGGER admin_actions_append_only_u BEFORE UPDATE ON admin_actions
  BEGIN SELECT RAISE(ABORT, 'the admin action log is append-only'); END;
CREATE TRIGGER admin_actions_append_only_d BEFORE DELETE ON admin_actions
  BEGIN SELECT RAISE(ABORT, 'the admin action log is append-only'); END;
)sql";

// 14 (store.h, "predictions"): a cycle writes its predictions in short transactions before its
// final one, under a model version staged here; every reader reads visible_predictions, which
// hides a staged version's rows until the cycle's final transaction publishes it (deletes its
// row here). A failed cycle's rows stay hidden until the next cycle drops them.
constexpr const char kVersion14[] = R"sql(
CREATE TABLE staged_predictions(
  project_id INTEGER NOT NULL REFERENCES projects(id),
  model_version TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY(project_id, model_version)) WITHOUT ROWID;
CREATE VIEW visible_predictions AS
  SELECT project_id, item_id, model_version, label, confidence, distribution, created_at
  FROM predictions p WHERE NOT EXISTS (SELECT 1 FROM staged_predictions s
    WHERE s.project_id = p.project_id AND s.model_version = p.model_version);
)sql";

}  // namespace

const std::vector<const char*>& Migrations() {
  static const std::vector<const char*> kMigrations = {kVersion1, kVersion2, kVersion3,
                                                       kVersion4, kVersion5, kVersion6,
                                                       kVersion7, kVersion8, kVersion9,
                                                       kVersion10, kVersion11, kVersion12,
                                                       kVersion13, kVersion14};
  return kMigrations;
}

}  // namespace hitloop::sqlite
