// Broker credentials of real site gateways (docs/contract.md §5): `ems-api gateway add|list|remove
// SITE`.
//
// A gateway of site SITE is the MQTT user "sites/SITE". The broker's ACL (broker-config/
// acl.template) grants it, through `pattern` lines with %u, exactly its own site's topics:
//   pattern write {p}/%u/devices/+/meta      →  {p}/sites/SITE/devices/+/meta
//   pattern read  {p}/%u/summary             →  {p}/sites/SITE/summary      (and so on)
// so a new gateway needs no ACL change at all, only a password. The username carries the topic
// level "sites/" in front of the id because %u is replaced by the whole username: a name such as
// "gw-SITE" could not appear in a topic pattern, and a bare "SITE" could clash with a service
// user (a site named "ems-api"). The same patterns give the service users nothing: "ems/v1/
// ems-api/devices/+/meta" is no topic anything publishes to.
//
// Files, in the broker's state folder (EMS_BROKER_STATE_DIR; run.sh: data/broker, compose: the
// broker container's /var/lib/ems/broker):
//   gateways       the gateways' users and password hashes (mosquitto_passwd format): the record
//   passwd         the broker's password file: the services' users (prepare-broker.sh writes
//                  them at every broker start, and appends `gateways`) and the gateways'
//   mosquitto.pid  written by the broker (pid_file): whom to send SIGHUP
// Passwords are made here (24 random base64url characters), hashed by `mosquitto_passwd -U` on
// a temporary file (never on a command line), shown once and never stored in clear. Files are
// replaced atomically (rename), keeping the owner and mode of the ones they replace, and changes
// are serialised by a lock file. SIGHUP makes Mosquitto re-read its password and ACL files: live
// sessions stay, and a removed gateway's connection is closed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ems/domain/result.h"

namespace ems::api {

// "sites/SITE": the MQTT username of SITE's gateway.
std::string GatewayUsername(std::string_view site_id);

// Broker users that `ems-api` adds to the broker's password file, one kind per file of the state
// folder: site gateways in `gateways`, Home Assistant in `ha-users` (ha_users.h). `passwd` holds
// the services' users and every kind's lines.
struct BrokerUserKind {
  std::string_view file;                // "gateways"
  bool (*owns)(std::string_view user);  // whether a user of passwd is of this kind
};

class BrokerUsers {
 public:
  BrokerUsers(std::string state_dir, BrokerUserKind kind)
      : dir_(std::move(state_dir)), kind_(kind) {}

  // The users of this kind, sorted.
  std::vector<std::string> Users() const;
  // A new user; returns its password. Rejects kConflict with `conflict` when it exists. Throws
  // std::runtime_error when the files cannot be written or mosquitto_passwd fails.
  Result<std::string> Add(const std::string& user, const std::string& conflict) const;
  // Rejects kNotFound with `not_found` when there is no such user.
  Result<void> Remove(const std::string& user, const std::string& not_found) const;
  // Sends SIGHUP to the broker of mosquitto.pid; false when no broker runs there.
  bool ReloadBroker() const;

 private:
  std::string Path(std::string_view name) const { return dir_ + "/" + std::string(name); }
  std::vector<std::string> Lines() const;
  // Writes the kind's file and rebuilds `passwd` (other lines kept, this kind's from `lines`).
  void Store(const std::vector<std::string>& lines) const;

  std::string dir_;
  BrokerUserKind kind_;
};

// Home Assistant's broker user (`ems-api ha-user add|remove`, docs/contract.md §4.6,
// docs/home-assistant.md): one user, "homeassistant", whose rules are a `user` block of
// broker-config/acl.template (read {EMS_HA_PREFIX}/# and {p}/sites/#, {p}/status/#; write only
// {EMS_HA_PREFIX}/status).
inline constexpr std::string_view kHomeAssistantUser = "homeassistant";
BrokerUsers HomeAssistantUsers(std::string state_dir);

class GatewayRegistry {
 public:
  explicit GatewayRegistry(std::string state_dir);

  // Sites that have a gateway, sorted.
  std::vector<std::string> Sites() const;
  // A new gateway user for `site_id`; returns its password. Rejects kInvalidParameter for a site
  // id that is not an id and kConflict when the site has a gateway. Throws std::runtime_error
  // when the files cannot be written or mosquitto_passwd fails.
  Result<std::string> Add(const std::string& site_id) const;
  // Rejects kNotFound when the site has no gateway.
  Result<void> Remove(const std::string& site_id) const;
  // The ems-ocpp user's write rights (docs/ocpp.md): the device topics of `sites` (those with a
  // registered OCPP charger), kept in the state folder's `ocpp-acl` and put at the end of its
  // `acl` (prepare-broker.sh appends `ocpp-acl` when it renders the ACL). Throws
  // std::runtime_error when the files cannot be written.
  void SetOcppSites(const std::string& prefix, const std::vector<std::string>& sites) const;
  // The sites `ocpp-acl` grants now.
  std::vector<std::string> OcppSites(const std::string& prefix) const;
  bool ReloadBroker() const { return users_.ReloadBroker(); }

 private:
  std::string Path(std::string_view name) const { return dir_ + "/" + std::string(name); }

  std::string dir_;
  BrokerUsers users_;
};

}  // namespace ems::api
