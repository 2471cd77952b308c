// ems-api's administration commands, run instead of the service when the first argument names
// one (docs/contract.md §5, §6.1). They work offline — on the database and the broker's files, with
// or without ems-api running — so an operator can hand out the first accounts and gateways before
// anything is up:
//
//   ems-api user add USERNAME [--role viewer|technician|admin] [--sites A,B] [--password-stdin]
//   ems-api user list
//   ems-api user set-password USERNAME [--password-stdin]
//   ems-api user delete USERNAME
//   ems-api gateway add SITE
//   ems-api gateway list
//   ems-api gateway remove SITE
//   ems-api charger add SITE STATION [--connectors N] [--max-power-w W] [--free-vend]
//   ems-api charger list
//   ems-api charger remove STATION
//   ems-api ha-user add          Home Assistant's broker user (docs/home-assistant.md)
//   ems-api ha-user remove
//
// A password is read from the first line of standard input with --password-stdin; otherwise one
// is generated and printed once. The account rules are the REST API's (api/accounts.h), the
// gateway files are api/cli/gateways.h's. Settings as for the service (environment, .env,
// flags): EMS_DB_PATH for users, EMS_BROKER_STATE_DIR (and EMS_TOPIC_PREFIX, for the topics
// printed) for gateways.
//
// Exit codes: 0 done, 1 refused (one line on stderr says why), 2 bad usage or configuration.
#pragma once

#include <string_view>

namespace ems::api {

// True when `word` (argv[1]) names a command: "user", "gateway", "charger" or "ha-user".
bool IsCommand(std::string_view word);
int RunCommand(int argc, char** argv);

}  // namespace ems::api
