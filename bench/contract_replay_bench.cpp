// Contract timeline benchmark (docs/contract.md §6.7): one contract with a long event history in a
// real SQLite file, measuring what the API and the listener pay per request.
//
//   contract_replay_bench [--events N] [--late-pct P] [--db PATH] [--keep]
//
// Builds the history with AppendEvent in batches of 1000 per transaction (the listener's shape),
// mostly in created_at order with P% of events created up to 1000 events in the past, then
// measures GetTimeline, a full in-memory ReplayContract, RebuildContract (load + replay + compare)
// and AppendEvent in order and out of order. Every out-of-order sample runs in a transaction that
// is rolled back, so each one sees the same history. Prints a table; results go to BENCHMARKS.md.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ems/domain/contract.h"
#include "ems/store/store.h"

namespace {

using Clock = std::chrono::steady_clock;
using ems::ContractEvent;
using ems::Timestamp;

double MicrosSince(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

struct Stats {
  std::size_t n = 0;
  double p50 = 0, p99 = 0, max = 0, mean = 0;
};

Stats Summarize(std::vector<double> samples) {
  Stats s;
  if (samples.empty()) return s;
  std::ranges::sort(samples);
  s.n = samples.size();
  s.p50 = samples[samples.size() / 2];
  s.p99 = samples[std::min(samples.size() - 1, samples.size() * 99 / 100)];
  s.max = samples.back();
  double sum = 0;
  for (const double v : samples) sum += v;
  s.mean = sum / static_cast<double>(samples.size());
  return s;
}

void PrintRow(const char* what, const Stats& s, const std::string& note = "") {
  std::printf("| %-44s | %6zu | %11.1f | %11.1f | %11.1f | %s\n", what, s.n, s.p50, s.p99, s.max,
              note.c_str());
}

const Timestamp kBase = *ems::ParseTimestamp("2024-01-01T00:00:00Z");
const char* const kTypes[] = {"supply_energy_start",         "supply_energy_end",
                              "battery_optimization_start",  "battery_optimization_end",
                              "heatpump_optimization_start", "heatpump_optimization_end"};

// Event number i of the history: one second apart; dates drift forward so that most events are
// accepted and some (ends before starts, restarts after an end) are rejected.
ContractEvent MakeEvent(std::mt19937& rng, std::int64_t i, std::int64_t created_second) {
  const auto day = std::chrono::sys_days(std::chrono::year(2024) / 1 / 1) +
                   std::chrono::days(i / 50 + static_cast<int>(rng() % 30));
  const std::chrono::year_month_day ymd(day);
  return ContractEvent{
      .contract_number = "1001",
      .type = kTypes[rng() % 6],
      .date = ems::Date{static_cast<int>(ymd.year()), static_cast<int>(unsigned(ymd.month())),
                        static_cast<int>(unsigned(ymd.day()))},
      .created_at = kBase + std::chrono::seconds(created_second),
      .seq = ems::kUnassignedSeq};
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t n = 100000;
  int late_pct = 2;
  std::string path = (std::filesystem::temp_directory_path() /
                      ("ems_contract_bench_" + std::to_string(::getpid()) + ".db"))
                         .string();
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--events" && i + 1 < argc) {
      n = std::atoll(argv[++i]);
    } else if (arg == "--late-pct" && i + 1 < argc) {
      late_pct = std::atoi(argv[++i]);
    } else if (arg == "--db" && i + 1 < argc) {
      path = argv[++i];
    } else if (arg == "--keep") {
      keep = true;
    } else {
      std::fprintf(stderr, "usage: %s [--events N] [--late-pct P] [--db PATH] [--keep]\n", argv[0]);
      return arg == "--help" ? 0 : 2;
    }
  }

  std::string command;
  for (int i = 0; i < argc; ++i) {
    if (i > 0) command += ' ';
    command += argv[i];
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);

  auto store = ems::store::OpenStore(path);
  ems::store::ContractRepository& repo = store->Contracts();
  const auto begin = [&] { return store->Begin(ems::store::TxMode::kWrite); };
  {
    auto tx = begin();
    repo.CreateContract(ems::Contract{.contract_number = "1001",
                                      .components = {ems::ContractComponent::kEnergySupply,
                                                     ems::ContractComponent::kBatteryOptimization,
                                                     ems::ContractComponent::kHeatpumpOptimization},
                                      .created_at = kBase});
    tx.Commit();
  }

  // --- build the history ---
  std::mt19937 rng(20241201);
  std::size_t late = 0, rederived_total = 0;
  const auto load_start = Clock::now();
  for (std::int64_t i = 0; i < n;) {
    auto tx = begin();
    for (int k = 0; k < 1000 && i < n; ++k, ++i) {
      std::int64_t second = i;
      if (static_cast<int>(rng() % 100) < late_pct && i > 0) {
        second = std::max<std::int64_t>(0, i - 1 - static_cast<std::int64_t>(rng() % 1000));
        ++late;
      }
      const auto r = repo.AppendEvent(MakeEvent(rng, i, second), kBase + std::chrono::seconds(i));
      rederived_total += r->rederived;
    }
    tx.Commit();
  }
  const double load_s = MicrosSince(load_start) / 1e6;

  // --- GetTimeline ---
  std::vector<double> timeline_us;
  for (int i = 0; i < 20000; ++i) {
    const auto t0 = Clock::now();
    const auto t = repo.GetTimeline("1001", ems::store::Visibility::All());
    timeline_us.push_back(MicrosSince(t0));
    if (!t) return 1;
  }

  // --- full replay in memory, and load + replay + compare (RebuildContract) ---
  std::vector<ContractEvent> history;
  std::size_t stored_accepted = 0;
  std::optional<ems::store::ContractEventCursor> after;
  const auto list_start = Clock::now();
  do {
    auto page =
        repo.ListEvents("1001", ems::store::Visibility::All(), ems::store::kMaxPageLimit, after);
    for (auto& r : page->items) {
      stored_accepted += r.outcome.status == ems::EventStatus::kAccepted;
      history.push_back(std::move(r.event));
    }
    after = page->next_cursor;
  } while (after);
  const double list_us = MicrosSince(list_start);
  const ems::Contract contract = *repo.GetContract("1001", ems::store::Visibility::All());
  std::vector<double> replay_us;
  std::size_t replay_accepted = 0;
  for (int i = 0; i < 10; ++i) {
    const auto t0 = Clock::now();
    const ems::ContractReplay replay = ems::ReplayContract(contract, history);
    replay_us.push_back(MicrosSince(t0));
    replay_accepted = static_cast<std::size_t>(std::ranges::count_if(
        replay.outcomes, [](const auto& o) { return o.status == ems::EventStatus::kAccepted; }));
  }
  std::vector<double> rebuild_us;
  std::size_t rebuild_changed = 0;
  for (int i = 0; i < 3; ++i) {
    auto tx = begin();
    const auto t0 = Clock::now();
    rebuild_changed += *repo.RebuildContract("1001");
    rebuild_us.push_back(MicrosSince(t0));
  }

  // --- AppendEvent samples ---
  std::int64_t next_i = n;
  // In order, inside an open batch transaction (the listener's cost per message).
  std::vector<double> in_order_us;
  {
    auto tx = begin();
    for (int k = 0; k < 2000; ++k, ++next_i) {
      const ContractEvent e = MakeEvent(rng, next_i, next_i);
      const auto t0 = Clock::now();
      repo.AppendEvent(e, kBase + std::chrono::seconds(next_i));
      in_order_us.push_back(MicrosSince(t0));
    }
    tx.Commit();
  }
  // In order, one committed transaction per event (the API's cost per POST).
  std::vector<double> in_order_commit_us;
  for (int k = 0; k < 2000; ++k, ++next_i) {
    const ContractEvent e = MakeEvent(rng, next_i, next_i);
    const auto t0 = Clock::now();
    auto tx = begin();
    repo.AppendEvent(e, kBase + std::chrono::seconds(next_i));
    tx.Commit();
    in_order_commit_us.push_back(MicrosSince(t0));
  }
  // Out of order by `back` events; each sample rolled back.
  const auto late_samples = [&](std::int64_t back, int samples, std::size_t& rederived) {
    std::vector<double> us;
    rederived = 0;
    for (int k = 0; k < samples; ++k) {
      const std::int64_t second = std::max<std::int64_t>(0, next_i - back + k % 7);
      const ContractEvent e = MakeEvent(rng, second, second);
      auto tx = begin();  // rolled back at scope end
      const auto t0 = Clock::now();
      const auto r = repo.AppendEvent(e, kBase + std::chrono::seconds(next_i));
      us.push_back(MicrosSince(t0));
      rederived += r->rederived;
    }
    return us;
  };
  std::vector<double> worst_us;
  std::size_t red_10 = 0, red_1k = 0, red_half = 0, red_all = 0;
  const auto late_10 = late_samples(10, 2000, red_10);
  const auto late_1k = late_samples(1000, 500, red_1k);
  const auto late_half = late_samples(next_i / 2, 20, red_half);
  const auto late_all = late_samples(next_i, 20, red_all);

  // Worst case for a late event: its effect never converges with the stored history, so every
  // later event of its component is re-read. Contract 1002: one start, then n/3 accepted ends;
  // a late start between them moves the start date, which no later event overwrites.
  const std::int64_t worst_n = std::max<std::int64_t>(1, n / 3);
  {
    auto tx = begin();
    repo.CreateContract(ems::Contract{.contract_number = "1002",
                                      .components = {ems::ContractComponent::kEnergySupply},
                                      .created_at = kBase});
    const auto event = [](const char* type, std::int64_t second, int day) {
      return ContractEvent{.contract_number = "1002",
                           .type = type,
                           .date = ems::LocalDate(kBase + std::chrono::days(day), "UTC"),
                           .created_at = kBase + std::chrono::seconds(second),
                           .seq = ems::kUnassignedSeq};
    };
    repo.AppendEvent(event("supply_energy_start", 0, 10), kBase);
    for (std::int64_t i = 1; i <= worst_n; ++i) {
      repo.AppendEvent(event("supply_energy_end", 2 * i, 20 + static_cast<int>(i % 300)), kBase);
    }
    tx.Commit();
    std::vector<double> us;
    for (int k = 0; k < 10; ++k) {
      auto sample = begin();  // rolled back at scope end
      const auto t0 = Clock::now();
      const auto r = repo.AppendEvent(event("supply_energy_start", 1, 5 + k), kBase);
      us.push_back(MicrosSince(t0));
      if (r->rederived != 0) {
        std::fprintf(stderr, "worst case: the late start unexpectedly changed statuses\n");
        return 1;
      }
    }
    worst_us = std::move(us);
  }

  // --- report ---
  std::printf("command: %s\n", command.c_str());
  std::printf("db: %s (WAL, synchronous=NORMAL)\n", path.c_str());
  std::printf(
      "history: %lld events in one contract (3 components), %zu created late (up to 1000 events "
      "back); build %.2f s = %.0f events/s in batches of 1000; %zu later statuses "
      "re-derived while building\n",
      static_cast<long long>(n), late, load_s, static_cast<double>(n) / load_s, rederived_total);
  std::printf(
      "consistency: stored statuses accept %zu events, a full replay %zu; RebuildContract "
      "changed %zu statuses\n\n",
      stored_accepted, replay_accepted, rebuild_changed);
  std::printf("| %-44s | %6s | %11s | %11s | %11s |\n", "operation", "n", "p50 us", "p99 us",
              "max us");
  std::printf("|%s|%s|%s|%s|%s|\n", std::string(46, '-').c_str(), std::string(8, '-').c_str(),
              std::string(13, '-').c_str(), std::string(13, '-').c_str(),
              std::string(13, '-').c_str());
  PrintRow("GetTimeline", Summarize(timeline_us));
  std::string replay_label = "ReplayContract over ";
  replay_label += std::to_string(history.size());
  replay_label += " events";
  PrintRow(replay_label.c_str(), Summarize(replay_us));
  PrintRow("RebuildContract (load+replay+compare)", Summarize(rebuild_us));
  PrintRow("ListEvents, all pages of 1000", Summarize({list_us}));
  PrintRow("AppendEvent in order (in a batch tx)", Summarize(in_order_us));
  PrintRow("AppendEvent in order + commit", Summarize(in_order_commit_us));
  char note[96];
  std::snprintf(note, sizeof note, "avg re-derived %.1f", static_cast<double>(red_10) / 2000);
  PrintRow("AppendEvent late by ~10 events", Summarize(late_10), note);
  std::snprintf(note, sizeof note, "avg re-derived %.1f", static_cast<double>(red_1k) / 500);
  PrintRow("AppendEvent late by ~1000 events", Summarize(late_1k), note);
  std::snprintf(note, sizeof note, "avg re-derived %.1f", static_cast<double>(red_half) / 20);
  PrintRow("AppendEvent late by half the history", Summarize(late_half), note);
  std::snprintf(note, sizeof note, "avg re-derived %.1f", static_cast<double>(red_all) / 20);
  PrintRow("AppendEvent before the whole history", Summarize(late_all), note);
  std::snprintf(note, sizeof note, "worst case: re-reads %lld later events",
                static_cast<long long>(worst_n));
  PrintRow("AppendEvent late, never converging", Summarize(worst_us), note);

  if (!keep) {
    store.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
  return 0;
}
