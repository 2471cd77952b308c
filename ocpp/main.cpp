// ems-ocpp: the OCPP 1.6J central system real chargers connect to (docs/contract.md §4.5,
// docs/ocpp.md).
#include "ems/util/process.h"
#include "ocpp/ocpp_app.h"

int main(int argc, char** argv) {
  return ems::RunService("ems-ocpp", ems::ocpp::OcppOptions(), argc, argv, ems::ocpp::RunOcpp);
}
