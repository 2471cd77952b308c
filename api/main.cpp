// ems-api: REST and HTML over the stored state (docs/contract.md §1, §5, §6), and the
// administration commands `ems-api user ...` and `ems-api gateway ...` (api/cli/cli.h).
#include "api/api_app.h"
#include "api/cli/cli.h"
#include "ems/util/process.h"

int main(int argc, char** argv) {
  if (argc > 1 && ems::api::IsCommand(argv[1])) return ems::api::RunCommand(argc, argv);
  return ems::RunService("ems-api", ems::api::ApiOptions(), argc, argv,
                         [](const ems::config::Settings& settings, const std::atomic<bool>& stop) {
                           ems::api::ApiApp app(settings);
                           app.Run(stop);
                         });
}
