#include "ems/metrics/metrics.h"

#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "ems/util/log.h"

namespace ems::metrics {
namespace {

std::string TypeName(Type type) {
  switch (type) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// A sample value as the text format writes it: integers without a fraction, +Inf, -Inf, NaN.
std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  // The shortest of 15 to 17 significant digits that reads back as the same double (0.00025, not
  // 0.00025000000000000001).
  char buf[32];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

// Label values escape backslash, double quote and line feed; help texts backslash and line feed.
std::string Escape(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

// `{a="1",b="2"}` (empty without labels); `extra` is appended last (a histogram's `le`).
std::string WriteLabels(const Labels& labels, const std::string& extra = {}) {
  if (labels.empty() && extra.empty()) return "";
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out += ',';
    out += name + "=\"" + Escape(value, true) + '"';
  }
  if (!extra.empty()) {
    if (out.size() > 1) out += ',';
    out += extra;
  }
  return out + "}";
}

double ReadProcStatCpuSeconds() {
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) may hold spaces and parentheses: fields are counted after the
  // last ')'. utime and stime are fields 14 and 15.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double ReadResidentBytes() {
  std::ifstream in("/proc/self/statm");
  double size = 0, resident = 0;
  in >> size >> resident;
  return resident * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

double CountOpenFds() {
  std::error_code ec;
  double n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

// The process's start, in seconds since the epoch: boot time (btime of /proc/stat) plus the
// start tick of /proc/self/stat (field 22).
double ReadStartTimeSeconds() {
  std::ifstream stat("/proc/stat");
  std::string key;
  double btime = 0;
  while (stat >> key) {
    if (key == "btime") {
      stat >> btime;
      break;
    }
  }
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return btime;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return btime + std::stod(field) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  return btime;
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end())) {
    throw std::logic_error("histogram bounds must be ascending");
  }
}

void Histogram::Observe(double v) {
  const auto i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  counts_[static_cast<std::size_t>(i)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s{bounds_, {}, sum_.load(std::memory_order_relaxed)};
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(total);
  }
  return s;
}

Registry::Family& Registry::FamilyOf(const std::string& name, const std::string& help, Type type) {
  auto [it, added] = families_.try_emplace(name);
  if (added) {
    it->second.help = help;
    it->second.type = type;
  } else if (it->second.type != type) {
    throw std::logic_error("metric " + name + " registered with two types");
  }
  return it->second;
}

Counter& Registry::GetCounter(const std::string& name, const std::string& help,
                              const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& child = FamilyOf(name, help, Type::kCounter).children[WriteLabels(labels)];
  if (!child.counter) {
    child.labels = labels;
    child.counter = std::make_unique<Counter>();
  }
  return *child.counter;
}

Gauge& Registry::GetGauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& child = FamilyOf(name, help, Type::kGauge).children[WriteLabels(labels)];
  if (!child.gauge) {
    child.labels = labels;
    child.gauge = std::make_unique<Gauge>();
  }
  return *child.gauge;
}

Histogram& Registry::GetHistogram(const std::string& name, const std::string& help,
                                  const std::vector<double>& bounds, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& child = FamilyOf(name, help, Type::kHistogram).children[WriteLabels(labels)];
  if (!child.histogram) {
    child.labels = labels;
    child.histogram = std::make_unique<Histogram>(bounds);
  }
  return *child.histogram;
}

void Registry::AddCallback(const std::string& name, const std::string& help, Type type,
                           std::function<double()> read, const Labels& labels) {
  if (type == Type::kHistogram) throw std::logic_error("a callback reads a counter or a gauge");
  std::lock_guard lock(mu_);
  auto& child = FamilyOf(name, help, type).children[WriteLabels(labels)];
  child.labels = labels;
  child.read = std::move(read);
}

std::string Registry::Expose() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + ' ' + Escape(family.help, false) + '\n';
    out += "# TYPE " + name + ' ' + TypeName(family.type) + '\n';
    for (const auto& [written, child] : family.children) {
      if (child.histogram) {
        const auto s = child.histogram->Read();
        for (std::size_t i = 0; i < s.bounds.size(); ++i) {
          out += name + "_bucket" +
                 WriteLabels(child.labels, "le=\"" + FormatValue(s.bounds[i]) + '"') + ' ' +
                 FormatValue(static_cast<double>(s.cumulative[i])) + '\n';
        }
        out += name + "_bucket" + WriteLabels(child.labels, "le=\"+Inf\"") + ' ' +
               FormatValue(static_cast<double>(s.cumulative.back())) + '\n';
        out += name + "_sum" + written + ' ' + FormatValue(s.sum) + '\n';
        out += name + "_count" + written + ' ' +
               FormatValue(static_cast<double>(s.cumulative.back())) + '\n';
        continue;
      }
      double value = 0;
      if (child.read) {
        value = child.read();
      } else if (child.counter) {
        value = child.counter->Value();
      } else if (child.gauge) {
        value = child.gauge->Value();
      }
      out += name + written + ' ' + FormatValue(value) + '\n';
    }
  }
  return out;
}

const std::vector<double>& DurationBuckets() {
  static const std::vector<double> buckets = {
      0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
      0.1,      0.25,    0.5,    1,       2.5,    5,     10,     30,    60,   300};
  return buckets;
}

std::string_view Version() { return EMS_VERSION; }

void AddBuildInfo(Registry& registry, const std::string& service) {
  registry
      .GetGauge("ems_build_info", "Always 1: the service and the version of ems it runs.",
                {{"service", service}, {"version", std::string(Version())}})
      .Set(1);
}

void AddProcessMetrics(Registry& registry) {
  registry.AddCallback("process_cpu_seconds_total", "User and system CPU time spent in seconds.",
                       Type::kCounter, ReadProcStatCpuSeconds);
  registry.AddCallback("process_resident_memory_bytes", "Resident memory size in bytes.",
                       Type::kGauge, ReadResidentBytes);
  registry.AddCallback("process_open_fds", "Number of open file descriptors.", Type::kGauge,
                       CountOpenFds);
  const double started = ReadStartTimeSeconds();
  registry.AddCallback("process_start_time_seconds",
                       "Start time of the process since unix epoch in seconds.", Type::kGauge,
                       [started] { return started; });
}

struct Server::Impl {
  httplib::Server http;
  std::thread thread;
  std::atomic<bool> ended = false;
};

Server::Server(const Registry& registry, const std::string& host, int port) {
  impl_ = std::make_unique<Impl>();
  auto& http = impl_->http;
  http.new_task_queue = [] { return new httplib::ThreadPool(2); };
  http.set_read_timeout(std::chrono::seconds(5));
  http.set_payload_max_length(0);
  // Only SO_REUSEADDR: with httplib's default SO_REUSEPORT a second process would bind too.
  http.set_socket_options([](socket_t sock) {
    const int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content("metrics could not be read\n", "text/plain");
      });
  http.Get("/metrics", [&registry](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry.Expose(), "text/plain; version=0.0.4; charset=utf-8");
  });
  port_ = port == 0 ? http.bind_to_any_port(host) : (http.bind_to_port(host, port) ? port : -1);
  if (port_ <= 0) {
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) +
                             " (address in use or not allowed)");
  }
  impl_->thread = std::thread([this] {
    impl_->http.listen_after_bind();
    impl_->ended = true;
  });
}

Server::~Server() {
  // stop() does nothing before the listen loop runs (docs/deployment.md): wait for it first.
  while (!impl_->http.is_running() && !impl_->ended) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->http.stop();
  impl_->thread.join();
}

std::unique_ptr<Server> ServeMetrics(const Registry& registry, const config::Settings& settings) {
  if (settings.Get("EMS_METRICS_LISTEN").empty()) return nullptr;
  const auto [host, port] = settings.GetHostPort("EMS_METRICS_LISTEN");
  try {
    auto server = std::make_unique<Server>(registry, host, port);
    log::Info("metrics on http://" + host + ":" + std::to_string(server->port()) + "/metrics");
    return server;
  } catch (const std::runtime_error& e) {
    throw config::ConfigError(
        "EMS_METRICS_LISTEN",
        std::string(e.what()) + "; choose another address or leave it empty.");
  }
}

}  // namespace ems::metrics
