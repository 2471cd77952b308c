#include "api/cli/gateways.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "ems/auth/password.h"
#include "ems/domain/ids.h"

extern char** environ;

namespace ems::api {
namespace {

constexpr std::string_view kUserPrefix = "sites/";

std::runtime_error SystemError(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string UserOf(const std::string& line) { return line.substr(0, line.find(':')); }

bool IsGatewayUser(std::string_view user) { return user.starts_with(kUserPrefix); }

// Writes `text` to a new file `path` (mode 0600), throwing when it cannot.
void WriteNew(const std::string& path, const std::string& text, const struct stat* like) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw SystemError("cannot write " + path);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  // The file it replaces may belong to the broker's user (run.sh started as root hands the
  // state folder to "mosquitto"): the broker must still read it after the rename.
  if (ok && like != nullptr) {
    ok = ::fchmod(fd, like->st_mode & 07777) == 0 &&
         (::geteuid() != 0 || ::fchown(fd, like->st_uid, like->st_gid) == 0);
  }
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok) throw SystemError("cannot write " + path);
}

// Replaces `path` by `lines` atomically, keeping the owner and mode of the file replaced.
void Replace(const std::string& path, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  struct stat old = {};
  const bool existed = ::stat(path.c_str(), &old) == 0;
  const std::string tmp = path + ".gateway-tmp";
  WriteNew(tmp, text, existed ? &old : nullptr);
  if (::rename(tmp.c_str(), path.c_str()) != 0) throw SystemError("cannot replace " + path);
}

// "user:<hash>" for `password`, hashed by mosquitto_passwd -U on a temporary file of the state
// folder (0600, removed at once), so the password never shows on a command line.
std::string HashedLine(const std::string& dir, const std::string& user,
                       const std::string& password) {
  const std::string tmp = dir + "/gateway-hash.tmp";
  struct Remove {
    const std::string& path;
    ~Remove() { ::unlink(path.c_str()); }
  } remove{tmp};
  WriteNew(tmp, user + ":" + password + "\n", nullptr);
  std::string program = "mosquitto_passwd", flag = "-U", file = tmp;
  char* argv[] = {program.data(), flag.data(), file.data(), nullptr};
  pid_t pid = 0;
  if (::posix_spawnp(&pid, program.c_str(), nullptr, nullptr, argv, environ) != 0) {
    throw std::runtime_error("cannot run mosquitto_passwd (is mosquitto installed?)");
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  const auto lines = ReadLines(tmp);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || lines.size() != 1 ||
      UserOf(lines[0]) != user || lines[0] == user + ":" + password) {
    throw std::runtime_error("mosquitto_passwd -U failed to hash the new user's password");
  }
  return lines[0];
}

// Holds an exclusive lock on the state folder's gateways.lock: one change at a time.
class ChangeLock {
 public:
  explicit ChangeLock(const std::string& dir)
      : fd_(::open((dir + "/gateways.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
      throw SystemError("cannot lock " + dir + "/gateways.lock (is EMS_BROKER_STATE_DIR right?)");
    }
  }
  ~ChangeLock() { ::close(fd_); }
  ChangeLock(const ChangeLock&) = delete;
  ChangeLock& operator=(const ChangeLock&) = delete;

 private:
  int fd_;
};

}  // namespace

std::string GatewayUsername(std::string_view site_id) {
  return std::string(kUserPrefix) + std::string(site_id);
}

std::vector<std::string> BrokerUsers::Lines() const { return ReadLines(Path(kind_.file)); }

std::vector<std::string> BrokerUsers::Users() const {
  std::vector<std::string> users;
  for (const auto& line : Lines()) users.push_back(UserOf(line));
  std::ranges::sort(users);
  return users;
}

void BrokerUsers::Store(const std::vector<std::string>& lines) const {
  Replace(Path(kind_.file), lines);
  std::vector<std::string> passwd;
  for (auto& line : ReadLines(Path("passwd"))) {
    if (!kind_.owns(UserOf(line))) passwd.push_back(std::move(line));
  }
  passwd.insert(passwd.end(), lines.begin(), lines.end());
  Replace(Path("passwd"), passwd);
}

Result<std::string> BrokerUsers::Add(const std::string& user, const std::string& conflict) const {
  const ChangeLock lock(dir_);
  auto lines = Lines();
  if (std::ranges::any_of(lines, [&](const std::string& l) { return UserOf(l) == user; })) {
    return Rejected(ErrorCode::kConflict, conflict);
  }
  auto password = auth::RandomToken(18);
  lines.push_back(HashedLine(dir_, user, password));
  Store(lines);
  return password;
}

Result<void> BrokerUsers::Remove(const std::string& user, const std::string& not_found) const {
  const ChangeLock lock(dir_);
  auto lines = Lines();
  const auto removed =
      std::erase_if(lines, [&](const std::string& l) { return UserOf(l) == user; });
  if (removed == 0) return Rejected(ErrorCode::kNotFound, not_found);
  Store(lines);
  return {};
}

void GatewayRegistry::SetOcppSites(const std::string& prefix,
                                   const std::vector<std::string>& sites) const {
  static const std::string kMarker =
      "# ems-ocpp: sites with a registered charger (ems-api charger)";
  std::vector<std::string> lines{kMarker, "user ems-ocpp"};
  for (const auto& site : sites) {
    for (const char* kind : {"meta", "telemetry", "sessions"}) {
      lines.push_back("topic write " + prefix + "/sites/" + site + "/devices/+/" + kind);
    }
  }
  const ChangeLock lock(dir_);
  Replace(Path("ocpp-acl"), lines);
  struct stat st = {};
  if (::stat(Path("acl").c_str(), &st) != 0) return;  // no broker prepared here yet
  std::vector<std::string> acl;
  for (auto& line : ReadLines(Path("acl"))) {
    if (line == kMarker) break;
    acl.push_back(std::move(line));
  }
  acl.insert(acl.end(), lines.begin(), lines.end());
  Replace(Path("acl"), acl);
}

std::vector<std::string> GatewayRegistry::OcppSites(const std::string& prefix) const {
  const std::string head = "topic write " + prefix + "/sites/";
  const std::string tail = "/devices/+/meta";
  std::vector<std::string> sites;
  for (const auto& line : ReadLines(Path("ocpp-acl"))) {
    if (line.starts_with(head) && line.ends_with(tail) && line.size() > head.size() + tail.size()) {
      sites.push_back(line.substr(head.size(), line.size() - head.size() - tail.size()));
    }
  }
  return sites;
}

BrokerUsers HomeAssistantUsers(std::string state_dir) {
  return BrokerUsers(std::move(state_dir), {"ha-users", [](std::string_view user) {
                                              return user == kHomeAssistantUser;
                                            }});
}

GatewayRegistry::GatewayRegistry(std::string state_dir)
    : dir_(state_dir), users_(std::move(state_dir), BrokerUserKind{"gateways", IsGatewayUser}) {}

std::vector<std::string> GatewayRegistry::Sites() const {
  std::vector<std::string> sites;
  for (const auto& user : users_.Users()) sites.push_back(user.substr(kUserPrefix.size()));
  return sites;
}

Result<std::string> GatewayRegistry::Add(const std::string& site_id) const {
  if (!IsValidId(site_id)) {
    return Rejected(ErrorCode::kInvalidParameter,
                    "A site id is 1 to 64 letters, digits, '_', '.' or '-'.");
  }
  return users_.Add(GatewayUsername(site_id), "Site " + site_id +
                                                  " already has a gateway; remove it first to "
                                                  "give it a new password.");
}

Result<void> GatewayRegistry::Remove(const std::string& site_id) const {
  return users_.Remove(GatewayUsername(site_id), "Site " + site_id + " has no gateway.");
}

bool BrokerUsers::ReloadBroker() const {
  std::ifstream pid_file(Path("mosquitto.pid"));
  pid_t pid = 0;
  if (!(pid_file >> pid) || pid <= 0) return false;
  // The pid of a broker that is gone may belong to another process by now.
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  if (!std::getline(comm, name) || !name.starts_with("mosquitto")) return false;
  return ::kill(pid, SIGHUP) == 0;
}

}  // namespace ems::api
