// Prometheus metrics of a process (docs/contract.md §8, docs/monitoring.md): a registry of
// counters, gauges and histograms, written in the text exposition format 0.0.4, the process metrics
// read from /proc/self, and a small HTTP server answering GET /metrics. Debian has no
// prometheus-cpp; this is the one place every service (and ems-ocpp) gets its metrics from.
//
//   metrics::Registry registry;
//   metrics::AddBuildInfo(registry, "ems-listener");
//   metrics::AddProcessMetrics(registry);
//   auto& stored = registry.GetCounter("ems_ingest_stored_total", "Messages stored.");
//   stored.Inc();
//   metrics::Server server(registry, "127.0.0.1:9101");  // "" = no server
//
// Thread-safety: every call of Registry and of the metrics it hands out may come from any thread.
// A metric lives as long as its registry; Get* of a name and labels seen before returns the same
// metric, so hot paths keep the reference instead of looking it up again. Label values must come
// from a closed set (a route's template, a reject reason): never a raw path or an id.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ems/config/settings.h"

namespace ems::metrics {

// Label name → value pairs, in the order they are written.
using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(double by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: the upper bounds of the buckets, ascending (the +Inf bucket is implicit).
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf (= count)
    double sum = 0;
  };
  Snapshot Read() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket, +Inf last
  std::atomic<double> sum_{0};
};

enum class Type { kCounter, kGauge, kHistogram };

class Registry {
 public:
  Counter& GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& GetGauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& GetHistogram(const std::string& name, const std::string& help,
                          const std::vector<double>& bounds, const Labels& labels = {});
  // A counter or gauge whose value is read by `read` when scraped (queue sizes, process figures).
  void AddCallback(const std::string& name, const std::string& help, Type type,
                   std::function<double()> read, const Labels& labels = {});

  // Every metric in the text exposition format 0.0.4, families in name order.
  std::string Expose() const;

 private:
  struct Child {
    Labels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> read;
  };
  struct Family {
    std::string help;
    Type type = Type::kCounter;
    std::map<std::string, Child> children;  // keyed by the written labels
  };
  // The family of `name` (created with `help` and `type`); std::logic_error when it exists with
  // another type.
  Family& FamilyOf(const std::string& name, const std::string& help, Type type);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

// The buckets of histograms of durations in seconds, from 25 µs to 5 min: the API's handlers take
// tens of microseconds to a few milliseconds (BENCHMARKS.md: p50 0.1-0.6 ms and p99 0.35-4.4 ms
// per route, network included), live readings are stored within milliseconds (p99 4.1 ms) and a
// backlog's within minutes.
const std::vector<double>& DurationBuckets();

// ems_build_info{service,version} 1 (docs/contract.md §8).
void AddBuildInfo(Registry& registry, const std::string& service);
// process_cpu_seconds_total, process_resident_memory_bytes, process_open_fds,
// process_start_time_seconds, read from /proc/self when scraped.
void AddProcessMetrics(Registry& registry);

// Serves GET /metrics (the registry's Expose) on host:port (port 0 = any free port), on a thread
// of its own, until destroyed. Throws std::runtime_error when the address cannot be bound.
class Server {
 public:
  Server(const Registry& registry, const std::string& host, int port);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

// The server of EMS_METRICS_LISTEN (config::MetricsOption), logged; null when it is empty.
// Throws config::ConfigError naming the variable when it is malformed or cannot be bound.
std::unique_ptr<Server> ServeMetrics(const Registry& registry, const config::Settings& settings);

// The version every service reports in ems_build_info (the project's version).
std::string_view Version();

}  // namespace ems::metrics
