// The deployment's secrets and TLS (docs/contract.md §8): the edge serves HTTPS with the
// certificate the local CA signs, as docker-compose runs it; keys and .env are readable by their
// owner only; a certificate put in place by hand survives the next start.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "ems/config/settings.h"
#include "harness.h"

namespace ems::testing {
namespace {

// The permission bits of `path` (0600, ...).
unsigned Mode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

int RunScript(const Stack& stack, const std::vector<std::string>& argv) {
  Process p(argv, {{"PATH", "/usr/bin:/bin"}}, stack.dir(), stack.dir() + "/script.log");
  return p.Wait();
}

TEST(DeploymentTest, EdgeServesHttpsWithTheLocalCaCertificateAndRefusesPlainHttp) {
  Stack stack;
  stack.StartBroker();  // makes the local CA and its certificates, the edge's among them
  const auto certs = stack.dir() + "/broker/certs";
  stack.StartEdge(
      {{"EMS_EDGE_TLS_CERT", certs + "/edge.crt"}, {"EMS_EDGE_TLS_KEY", certs + "/edge.key"}});
  stack.StartApi();

  httplib::SSLClient https("localhost", stack.edge_port());
  https.set_ca_cert_path(stack.ca_file().c_str());
  https.enable_server_certificate_verification(true);
  const auto health = https.Get("/health");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);

  const auto plain = RawHttp(stack.edge_port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(plain.status, 400) << plain.raw;
  EXPECT_EQ(plain.body["status"], "error") << plain.raw;
}

TEST(DeploymentTest, KeysAndTheEnvFileAreReadableByTheirOwnerOnly) {
  Stack stack;
  stack.StartBroker();
  const auto certs = stack.dir() + "/broker/certs";
  for (const char* key : {"ca.key", "server.key", "edge.key"}) {
    EXPECT_EQ(Mode(certs + "/" + key), 0600u) << key;
  }

  const auto env_file = stack.dir() + "/.env";
  ASSERT_EQ(RunScript(stack, {stack.SourcePath("scripts/ensure-env.sh"), env_file}), 0);
  EXPECT_EQ(Mode(env_file), 0600u);
  for (const auto& [name, value] : config::ReadEnvFile(env_file)) {
    EXPECT_NE(value.rfind("change-me", 0), 0u) << name << " kept its placeholder";
  }
  std::filesystem::permissions(env_file, std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  ASSERT_EQ(RunScript(stack, {stack.SourcePath("scripts/ensure-env.sh"), env_file}), 0);
  EXPECT_EQ(Mode(env_file), 0600u);  // an existing .env is tightened, not left open
}

TEST(DeploymentTest, ACertificatePutInPlaceByHandIsKept) {
  Stack stack;
  const auto certs = stack.dir() + "/certs";
  const auto make = stack.SourcePath("broker-config/make-certs.sh");
  ASSERT_EQ(RunScript(stack, {make, certs}), 0);
  std::ofstream(certs + "/edge.crt") << "a real chain\n";
  ASSERT_EQ(RunScript(stack, {make, certs}), 0);
  std::ifstream kept(certs + "/edge.crt");
  std::string line;
  std::getline(kept, line);
  EXPECT_EQ(line, "a real chain");
}

}  // namespace
}  // namespace ems::testing
