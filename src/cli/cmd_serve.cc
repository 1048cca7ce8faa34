// hitloop serve [--host 127.0.0.1] [--port 8080] [--lease-ttl 600] [--threads 96]
// Runs the HTTP API and web UI until SIGINT/SIGTERM, then stops accepting, lets in-flight
// requests finish and exits 0.
#include <pthread.h>
#include <signal.h>

#include <cstdio>

#include "cli/command.h"
#include "server/server.h"

namespace hitloop::cli {

void RegisterServe(CLI::App& app, GlobalOptions& g, int* exit_code) {
  static server::ServerOptions o;
  static int64_t lease_ttl_s = 600;
  static bool quiet = false;
  auto* cmd = app.add_subcommand("serve", "Serve the JSON API and the annotator/admin web UI");
  cmd->add_option("--host", o.host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", o.port, "Port (0 = any free port)")->capture_default_str()
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--lease-ttl", lease_ttl_s, "Seconds an annotator holds a task")->capture_default_str()
      ->check(CLI::Range(int64_t{5}, int64_t{24 * 3600}));
  cmd->add_option("--scope-cache-ms", o.scope_cache_ms,
                  "How long (ms) a token's user, projects and memberships stay cached; changes made "
                  "by another process (the CLI) are seen within this time, API changes at once")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--threads", o.threads, "Worker threads (requests served at once)")
      ->capture_default_str()->check(CLI::Range(2, 1024));
  cmd->add_option("--request-timeout", o.request_timeout_s,
                  "Seconds a request's header and body may take to arrive (else 408)")
      ->capture_default_str()->check(CLI::Range(1, 3600));
  cmd->add_option("--max-connections-per-address", o.max_connections_per_address,
                  "Open connections from one client address (0 = no limit, e.g. behind a proxy)")
      ->capture_default_str()->check(CLI::Range(0, 1000000));
  cmd->add_option("--auth-failures-per-minute", o.auth_failures_per_minute,
                  "Failed sign-ins/bad tokens per client address per minute before 429 (0 = no limit)")
      ->capture_default_str()->check(CLI::Range(0, 1000000));
  cmd->add_option("--db-pool-size", o.db_pool_size,
                  "PostgreSQL: most database connections request handlers hold at once (0 = one "
                  "per running request; the writers have one more each)")
      ->capture_default_str()->check(CLI::Range(0, 100000));
  cmd->add_option("--db-writers", o.db_writers,
                  "PostgreSQL: write transactions run at once, each on its own connection (0 = "
                  "default: 4 on PostgreSQL, 1 on SQLite, which allows only 1)")
      ->capture_default_str()->check(CLI::Range(0, 256));
  cmd->add_option("--statement-timeout-ms", o.statement_timeout_ms,
                  "PostgreSQL: cancel any statement of this server running longer (0 = no limit)")
      ->capture_default_str()->check(CLI::Range(int64_t{0}, int64_t{24} * 3600 * 1000));
  cmd->add_flag("--no-access-log", quiet, "Do not write the JSON access log to stderr");
  cmd->callback([&g, exit_code] {
    o.db_path = g.db_path;
    o.lease_ttl_ms = lease_ttl_s * 1000;
    o.access_log = !quiet;
    // Block the shutdown signals in every thread (workers inherit this mask); one thread waits
    // for them synchronously, so no work happens inside a signal handler.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    server::Server srv(o);
    Status st = srv.Start();
    if (!st.ok()) { *exit_code = Fail(st); return; }
    std::printf("hitloop serving %s on http://%s:%d/ (admin: /admin)\n", g.db_path.c_str(),
                o.host.c_str(), srv.port());
    std::fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    std::fprintf(stderr, "hitloop: signal %d, finishing in-flight requests\n", sig);
    srv.Stop();
    std::fprintf(stderr, "hitloop: stopped\n");
  });
}

}  // namespace hitloop::cli
