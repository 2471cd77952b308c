// ems-api: REST and HTML over the stored state (SPEC §1, §5, §6).
#include "api/api_app.h"
#include "ems/util/process.h"

int main(int argc, char** argv) {
  return ems::RunService("ems-api", ems::api::ApiOptions(), argc, argv,
                         [](const ems::config::Settings& settings, const std::atomic<bool>& stop) {
                           ems::api::ApiApp app(settings);
                           app.Run(stop);
                         });
}
