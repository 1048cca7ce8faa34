#include "store/postgres/pg_migrations.h"

namespace hitloop::pg {

namespace {

// 1: everything the SQLite schema has at its version 9 (store/sqlite/migrations.cc), in
// PostgreSQL types, less queue_open_counts (open entries are counted through a partial index:
// no counter rows every server would update) and plus claim_locks (see Claim in
// pg_store_queue.cc: the row a claim locks and bumps, one per item ever queued).
constexpr const char kVersion1[] = R"sql(
CREATE TABLE projects(
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  task_type TEXT NOT NULL,
  config TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL);
CREATE TABLE labels(
  project_id BIGINT NOT NULL REFERENCES projects(id),
  idx BIGINT NOT NULL,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY(project_id, idx),
  UNIQUE(project_id, name));
CREATE TABLE items(
  id BIGSERIAL PRIMARY KEY,
  project_id BIGINT NOT NULL REFERENCES projects(id),
  external_id TEXT NOT NULL,
  text TEXT NOT NULL,
  vector BYTEA,
  meta TEXT NOT NULL DEFAULT '{}',
  content_hash TEXT NOT NULL,
  split TEXT NOT NULL CHECK(split IN ('pool','gold')),
  state TEXT NOT NULL CHECK(state IN ('unlabeled','queued','auto','labeled')),
  labels TEXT,
  label_source TEXT CHECK(label_source IS NULL OR label_source IN ('human','model','rule','audit')),
  label_annotator TEXT,
  label_confidence DOUBLE PRECISION,
  import_tag TEXT,
  created_at BIGINT NOT NULL,
  hold TEXT CHECK(hold IS NULL OR hold IN ('quarantined','deleted')),
  UNIQUE(project_id, external_id));
CREATE INDEX items_by_state ON items(project_id, state, label_source, split);
CREATE TABLE annotations(
  id BIGSERIAL PRIMARY KEY,
  project_id BIGINT NOT NULL,
  item_id BIGINT NOT NULL REFERENCES items(id),
  labels TEXT NOT NULL,
  source TEXT NOT NULL CHECK(source IN ('human','model','rule','audit')),
  annotator TEXT NOT NULL,
  confidence DOUBLE PRECISION,
  time_spent_ms BIGINT NOT NULL DEFAULT 0,
  kind TEXT NOT NULL DEFAULT 'label',
  created_at BIGINT NOT NULL);
CREATE INDEX annotations_by_item ON annotations(item_id);
CREATE INDEX annotations_by_project ON annotations(project_id, id);
CREATE FUNCTION hitloop_append_only() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'annotations are append-only'; END $$;
CREATE TRIGGER annotations_append_only BEFORE UPDATE OR DELETE ON annotations
  FOR EACH ROW EXECUTE FUNCTION hitloop_append_only();
CREATE TABLE predictions(
  project_id BIGINT NOT NULL,
  item_id BIGINT NOT NULL REFERENCES items(id),
  model_version TEXT NOT NULL,
  label TEXT NOT NULL,
  confidence DOUBLE PRECISION NOT NULL,
  distribution BYTEA,
  created_at BIGINT NOT NULL,
  PRIMARY KEY(project_id, item_id, model_version));
CREATE INDEX predictions_by_item ON predictions(item_id);
CREATE TABLE queue(
  id BIGSERIAL PRIMARY KEY,
  project_id BIGINT NOT NULL REFERENCES projects(id),
  item_id BIGINT NOT NULL REFERENCES items(id),
  pool TEXT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('review','audit','adjudicate')),
  priority DOUBLE PRECISION NOT NULL DEFAULT 0,
  overlap INTEGER NOT NULL DEFAULT 1 CHECK(overlap >= 1),
  done INTEGER NOT NULL DEFAULT 0,
  open BOOLEAN NOT NULL DEFAULT TRUE,
  created_at BIGINT NOT NULL,
  busy_until BIGINT NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '');
CREATE UNIQUE INDEX queue_one_open ON queue(item_id, kind) WHERE open;
CREATE INDEX queue_claim ON queue(project_id, pool, priority DESC, id) WHERE open;
CREATE INDEX queue_open_by_pool ON queue(project_id, pool, kind) WHERE open;
CREATE INDEX queue_by_item ON queue(item_id, kind, id);
CREATE TABLE claim_locks(
  item_id BIGINT PRIMARY KEY REFERENCES items(id),
  seq BIGINT NOT NULL DEFAULT 0);
CREATE TABLE leases(
  id TEXT PRIMARY KEY,
  queue_id BIGINT NOT NULL REFERENCES queue(id),
  item_id BIGINT NOT NULL,
  project_id BIGINT NOT NULL,
  annotator TEXT NOT NULL,
  pool TEXT NOT NULL,
  kind TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('active','submitted','released','skipped')),
  finished_at BIGINT);
CREATE INDEX leases_by_queue ON leases(queue_id, state, expires_at);
CREATE INDEX leases_by_item ON leases(item_id, state);
CREATE INDEX leases_by_project ON leases(project_id, state, expires_at);
CREATE UNIQUE INDEX leases_one_submit ON leases(queue_id, annotator) WHERE state = 'submitted';
CREATE INDEX leases_by_annotator ON leases(project_id, annotator, state, created_at);
CREATE TABLE users(
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK(role IN ('annotator','reviewer','admin')),
  pools TEXT NOT NULL DEFAULT '["general"]',
  token_hash BYTEA NOT NULL UNIQUE,
  disabled BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL);
CREATE TABLE project_members(
  project_id BIGINT NOT NULL REFERENCES projects(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  PRIMARY KEY(project_id, user_id));
CREATE INDEX project_members_by_user ON project_members(user_id);
CREATE TABLE sessions(
  hash BYTEA PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL);
CREATE TABLE idempotency(
  user_id BIGINT NOT NULL REFERENCES users(id),
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY(user_id, key));
CREATE TABLE cycles(
  project_id BIGINT NOT NULL REFERENCES projects(id),
  cycle BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY(project_id, cycle));
CREATE TABLE detections(
  item_id BIGINT NOT NULL REFERENCES items(id),
  detector TEXT NOT NULL,
  project_id BIGINT NOT NULL REFERENCES projects(id),
  value TEXT NOT NULL,
  confidence DOUBLE PRECISION NOT NULL,
  detail TEXT,
  PRIMARY KEY(item_id, detector));
CREATE INDEX detections_by_project ON detections(project_id, item_id);
)sql";

// 2: answers to gold questions as routing counts them (SQLite's version 10, loop/gold.h).
constexpr const char kVersion2[] = R"sql(
CREATE TABLE gold_answers(
  project_id BIGINT NOT NULL REFERENCES projects(id),
  annotator TEXT NOT NULL,
  item_id BIGINT NOT NULL REFERENCES items(id),
  correct BOOLEAN NOT NULL,
  counted BOOLEAN NOT NULL DEFAULT TRUE,
  answered_at BIGINT NOT NULL,
  PRIMARY KEY(project_id, annotator, item_id));
)sql";

// 3 (the data browser, store/item_query.h; SQLite's version 11): a state filter in id order.
constexpr const char kVersion3[] = R"sql(
CREATE INDEX items_by_project_state ON items(project_id, state, id);
)sql";

// 4: the review workflow (SQLite's version 12, loop/review.h): verdicts on people's answers,
// append-only; a rejected answer's rework waits as a queue entry of kind 'rework:NAME'.
constexpr const char kVersion4[] = R"sql(
ALTER TABLE queue DROP CONSTRAINT queue_kind_check;
ALTER TABLE queue ADD CONSTRAINT queue_kind_check
  CHECK(kind IN ('review','audit','adjudicate') OR kind LIKE 'rework:%');
CREATE TABLE reviews(
  id BIGSERIAL PRIMARY KEY,
  project_id BIGINT NOT NULL REFERENCES projects(id),
  annotation_id BIGINT NOT NULL REFERENCES annotations(id),
  item_id BIGINT NOT NULL REFERENCES items(id),
  annotator TEXT NOT NULL,
  reviewer TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK(verdict IN ('approve','reject')),
  comment TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL);
CREATE INDEX reviews_by_annotation ON reviews(annotation_id);
CREATE INDEX reviews_by_item ON reviews(item_id, id);
CREATE INDEX reviews_by_project ON reviews(project_id, id);
CREATE INDEX annotations_by_item_annotator ON annotations(item_id, annotator, id);
CREATE FUNCTION hitloop_reviews_append_only() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'reviews are append-only'; END $$;
CREATE TRIGGER reviews_append_only BEFORE UPDATE OR DELETE ON reviews
  FOR EACH ROW EXECUTE FUNCTION hitloop_reviews_append_only();
)sql";

// 5 (PostgreSQL only): the scope version (store/scope_version.h). Every statement that changes
// users, memberships, projects or labels bumps one counter in its own transaction; servers read it
// to drop their scope caches when another process changed them. Statement-level triggers: a bulk
// change bumps it once. These tables change rarely (admin actions, a cycle's settings), never on a
// claim or a submit, so the counter's row is not a hot spot.
constexpr const char kVersion5[] = R"sql(
CREATE TABLE scope_version(
  id INTEGER PRIMARY KEY CHECK(id = 1),
  v BIGINT NOT NULL);
INSERT INTO scope_version(id, v) VALUES(1, 0);
CREATE FUNCTION hitloop_scope_changed() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN UPDATE scope_version SET v = v + 1 WHERE id = 1; RETURN NULL; END $$;
CREATE TRIGGER users_scope_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION hitloop_scope_changed();
CREATE TRIGGER project_members_scope_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
  ON project_members FOR EACH STATEMENT EXECUTE FUNCTION hitloop_scope_changed();
CREATE TRIGGER projects_scope_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON projects
  FOR EACH STATEMENT EXECUTE FUNCTION hitloop_scope_changed();
CREATE TRIGGER labels_scope_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON labels
  FOR EACH STATEMENT EXECUTE FUNCTION hitloop_scope_changed();
)sql";

// 6: the admin action log (SQLite's version 13, store/action_log.h), append-only.
constexpr const char kVersion6[] = R"sql(
CREATE TABLE admin_actions(
  id BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  project TEXT NOT NULL DEFAULT '',
  target TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '{}');
CREATE INDEX admin_actions_by_project ON admin_actions(project, id);
CREATE FUNCTION hitloop_admin_actions_append_only() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'the admin action log is append-only'; END $$;
CREATE TRIGGER admin_actions_append_only BEFORE UPDATE OR DELETE ON admin_actions
  FOR EACH ROW EXECUTE FUNCTION hitloop_admin_actions_append_only();
)sql";

// 7: staged predictions (SQLite's version 14, store.h "predictions"): a staged model version's
// rows are hidden from every reader (visible_predictions) until the cycle publishes it.
constexpr const char kVersion7[] = R"sql(
CREATE TABLE staged_predictions(
  project_id BIGINT NOT NULL REFERENCES projects(id),
  model_version TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY(project_id, model_version));
CREATE VIEW visible_predictions AS
  SELECT project_id, item_id, model_version, label, confidence, distribution, created_at
  FROM predictions p WHERE NOT EXISTS (SELECT 1 FROM staged_predictions s
    WHERE s.project_id = p.project_id AND s.model_version = p.model_version);
)sql";

}  // namespace

const std::vector<const char*>& Migrations() {
  static const std::vector<const char*> kMigrations = {kVersion1, kVersion2, kVersion3, kVersion4,
                                                       kVersion5, kVersion6, kVersion7};
  return kMigrations;
}

}  // namespace hitloop::pg
