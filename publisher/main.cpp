// ems-publisher: simulates sites, devices and charging stations and publishes them
// (docs/contract.md §1).
#include "ems/util/process.h"
#include "publisher/publisher_app.h"

int main(int argc, char** argv) {
  return ems::RunService("ems-publisher", ems::publisher::PublisherOptions(), argc, argv,
                         [](const ems::config::Settings& settings, const std::atomic<bool>& stop) {
                           ems::publisher::PublisherApp app(settings);
                           app.Run(stop);
                         });
}
