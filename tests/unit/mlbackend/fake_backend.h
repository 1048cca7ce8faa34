#pragma once
// An in-process model server on 127.0.0.1 speaking Label Studio's ML-backend protocol, for the
// client and cycle tests: it labels a task "spam" when its text has a spam word, else "ham",
// with a fixed score, and records what it was sent.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace hitloop::testing {

class FakeMlBackend {
 public:
  FakeMlBackend() {
    svr_.Get("/health", [this](const httplib::Request& req, httplib::Response& res) {
      Record("health", req);
      std::lock_guard<std::mutex> lock(health_mu_);
      res.set_content(health_body_, "application/json");
    });
    svr_.Post("/setup", [this](const httplib::Request& req, httplib::Response& res) {
      Record("setup", req);
      res.set_content(R"({"model_version": "fake-v1"})", "application/json");
    });
    svr_.Post("/predict", [this](const httplib::Request& req, httplib::Response& res) {
      Record("predict", req);
      if (fail_next > 0) {
        --fail_next;
        res.status = 503;
        res.set_content("busy", "text/plain");
        return;
      }
      auto body = nlohmann::json::parse(req.body, nullptr, false);
      nlohmann::json results = nlohmann::json::array();
      for (const auto& t : body["tasks"]) {
        const std::string text = t["data"]["text"].get<std::string>();
        bool spam = false;
        for (const char* w : {"winner", "prize", "viagra", "casino", "lottery", "cheap", "offer", "click"}) {
          spam |= text.find(w) != std::string::npos;
        }
        nlohmann::json r = {{"result", {{{"from_name", "label"}, {"to_name", "text"}, {"type", "choices"},
                                         {"value", {{"choices", {label_override.empty() ? (spam ? "spam" : "ham")
                                                                                        : label_override}}}}}}},
                            {"model_version", "fake-v1"}};
        if (with_score) r["score"] = score;
        results.push_back(r);
      }
      res.set_content(nlohmann::json({{"results", results}}).dump(), "application/json");
    });
    port = svr_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { svr_.listen_after_bind(); });
    while (!svr_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // What GET /health answers from now on.
  void SetHealthBody(std::string body) {
    std::lock_guard<std::mutex> lock(health_mu_);
    health_body_ = std::move(body);
  }
  ~FakeMlBackend() {
    svr_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }

  struct Seen {
    std::string path, authorization, body;
  };
  std::vector<Seen> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

  int port = 0;
  std::atomic<int> fail_next{0};
  bool with_score = true;
  double score = 0.99;
  std::string label_override;

 private:
  void Record(const std::string& path, const httplib::Request& req) {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.push_back({path, req.get_header_value("Authorization"), req.body});
  }
  httplib::Server svr_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Seen> seen_;
  std::mutex health_mu_;
  std::string health_body_ = R"({"status": "UP", "model_class": "Fake"})";
};

}  // namespace hitloop::testing
