// ems-ocpp under load (BENCHMARKS.md): N simulated chargers on loopback (tests/ocpp/load.js,
// ocpp-rpc) connect to the real ems-ocpp of a real stack (broker, listener, API), boot, then each
// sends one MeterValues every 10 s for the run. Reports ems-ocpp's resident memory (with every
// charger connected, and its peak), its CPU per MeterValues, the answer time (the broker's PUBACK
// included) and the MeterValues -> stored latency of a probe charger (stored = the API shows it).
//
// Usage: ocpp_bench [chargers=1000] [seconds=60]
// The Node side comes from `npm ci` in build/tests/ocpp-node (ctest -R ocpp_npm_ci does it).
#include <filesystem>
#include <sstream>

#include "ems/auth/password.h"
#include "ems/store/store.h"
#include "harness.h"

using ems::testing::Json;
using ems::testing::Process;
using ems::testing::Stack;

namespace {

constexpr const char* kPassword = "load-test-password";
constexpr const char* kSite = "load";

// Registers `n` chargers load-0 … load-(n-1) on site "load", one password hash for all.
void RegisterChargers(Stack& stack, int n) {
  auto store = ems::store::OpenStore(stack.db_path());
  const auto hash = ems::auth::HashPassword(kPassword);
  const auto now = ems::Now();
  auto tx = store->Begin(ems::store::TxMode::kWrite);
  store->Sites().Ensure(kSite, kSite, "UTC", now);
  for (int i = 0; i < n; ++i) {
    const auto id = "load-" + std::to_string(i);
    const ems::DeviceSpec spec{
        ems::DeviceType::kChargingStation, id, {{"connectors", 1}, {"max_power_w", 11000}}};
    if (!store->Devices().Create(kSite, id, spec, now) ||
        !store->Ocpp().Register(id, hash, false, now)) {
      throw std::runtime_error("cannot register " + id);
    }
  }
  tx.Commit();
  const auto allowed = stack.EmsApiCommand(std::string("charger allow ") + kSite);
  if (allowed.code != 0) throw std::runtime_error(allowed.output);
}

}  // namespace

int Run(int argc, char** argv) {
  const int chargers = argc > 1 ? std::stoi(argv[1]) : 1000;
  const int seconds = argc > 2 ? std::stoi(argv[2]) : 60;
  const std::string node_dir = std::string(EMS_OCPP_NODE_DIR);
  if (!std::filesystem::exists(node_dir + "/node_modules/ocpp-rpc")) {
    std::cerr << "run `ctest --test-dir build -R ocpp_npm_ci` first (npm ci in " << node_dir
              << ")\n";
    return 2;
  }
  Stack stack;
  stack.StartBroker();
  stack.StartListener({{"EMS_LOG_LEVEL", "info"}});
  stack.StartApi({{"EMS_LOG_LEVEL", "warn"}});
  stack.StartOcpp({{"EMS_LOG_LEVEL", "info"}});  // the harness waits for an info line
  RegisterChargers(stack, chargers);
  const pid_t ocpp = stack.ocpp().pid();
  const long idle_kib = ems::testing::TreeResidentKiB(ocpp);

  Process load({"/usr/bin/env", "node", node_dir + "/load.js"},
               {{"PATH", "/usr/local/bin:/usr/bin:/bin"},
                {"EMS_OCPP_URL", "ws://127.0.0.1:" + std::to_string(stack.ocpp_port()) + "/ocpp"},
                {"EMS_PASSWORD", kPassword},
                {"EMS_LOAD_CHARGERS", std::to_string(chargers)},
                {"EMS_LOAD_SECONDS", std::to_string(seconds)},
                {"EMS_LOAD_PERIOD_S", "10"},
                {"EMS_API_URL", "http://127.0.0.1:" + std::to_string(stack.api_port())},
                {"EMS_API_TOKEN", stack.AdminToken()}},
               stack.dir(), stack.dir() + "/load.log");
  // Connected and booted: every charger's BootNotification answered.
  const auto connected_at = std::chrono::steady_clock::now();
  double cpu_connected = 0;
  long connected_kib = 0;
  ems::testing::WaitFor(
      [&] {
        return stack.Get("/api/v1/devices/load-" + std::to_string(chargers - 1))
            .body["properties"]
            .contains("vendor");
      },
      std::chrono::seconds(600));
  cpu_connected = ems::testing::CpuSeconds(ocpp);
  connected_kib = ems::testing::TreeResidentKiB(ocpp);
  const double connect_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - connected_at).count();
  const int code = load.Wait(std::chrono::seconds(seconds + 660));
  const double cpu_load = ems::testing::CpuSeconds(ocpp) - cpu_connected;
  std::string line;
  std::istringstream log(load.Log());
  Json result;
  while (std::getline(log, line)) {
    const auto j = Json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("sent")) result = j;
  }
  if (code != 0 || result.is_null()) {
    std::cerr << "load.js failed (" << code << "):\n" << load.Log();
    return 1;
  }
  const double answered = result["answered"].get<double>();
  std::cout << "chargers " << chargers << ", " << seconds << " s of MeterValues every 10 s\n"
            << "  connected and booted in " << connect_s << " s\n"
            << "  ems-ocpp RSS: idle " << idle_kib / 1024.0 << " MiB, all connected "
            << connected_kib / 1024.0 << " MiB, peak "
            << ems::testing::PeakResidentKiB(ocpp) / 1024.0 << " MiB\n"
            << "  MeterValues sent " << result["sent"] << ", answered " << result["answered"]
            << ", failed " << result["failed"] << "\n"
            << "  ems-ocpp CPU per MeterValues: " << (cpu_load / answered) * 1e6 << " us ("
            << cpu_load << " s over the run)\n"
            << "  answer (PUBACK included) ms: p50 " << result["answer_ms"]["p50"] << ", p99 "
            << result["answer_ms"]["p99"] << "\n"
            << "  MeterValues -> stored ms (probe charger, " << result["stored_ms"]["samples"]
            << " samples): p50 " << result["stored_ms"]["p50"] << ", p99 "
            << result["stored_ms"]["p99"] << ", max " << result["stored_ms"]["max"] << "\n";
  return 0;
}

// Exceptions end the run through Stack's destructor, which stops every process it started.
int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "ocpp_bench: " << e.what() << "\n";
    return 1;
  }
}
