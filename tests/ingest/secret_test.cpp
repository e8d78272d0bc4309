// Secrets from files and the environment: as-is versus trimmed, and errors that name the file
// but never its content.
#include "ingest/secret.h"

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <boost/test/unit_test.hpp>

#include "tests/support/files.h"
#include "tests/support/temp_dir.h"

namespace fluxstatus::ingest {
namespace {

// A fresh temporary directory with `Write`: the file's path after writing `content` to it.
struct SecretDir : fluxstatus::testing::TempDir {
  std::string Write(const std::string& name, const std::string& content) const {
    fluxstatus::testing::WriteFile(File(name), content);
    return File(name);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(SecretTest)

BOOST_AUTO_TEST_CASE(file_is_read_as_is_without_trim) {
  SecretDir dir;
  const std::string path = dir.Write("hmac-key", "key with spaces \r\n");
  BOOST_TEST(ReadSecretFile(path, false) == "key with spaces \r\n");
}

BOOST_AUTO_TEST_CASE(file_is_trimmed_with_trim) {
  SecretDir dir;
  const std::string path = dir.Write("token", " \t ghp_abc123\n\n");
  BOOST_TEST(ReadSecretFile(path, true) == "ghp_abc123");
  BOOST_TEST(ReadSecretFile(dir.Write("blank", " \n"), true).empty());
}

BOOST_AUTO_TEST_CASE(binary_content_survives) {
  SecretDir dir;
  const std::string content("a\0b\xff", 4);
  BOOST_TEST(ReadSecretFile(dir.Write("binary", content), false) == content);
  const std::string large(100000, 'k');
  BOOST_TEST(ReadSecretFile(dir.Write("large", large), false) == large);
}

BOOST_AUTO_TEST_CASE(missing_file_throws_naming_the_path) {
  SecretDir dir;
  const std::string path = (dir.path() / "absent").string();
  try {
    ReadSecretFile(path, true);
    BOOST_FAIL("expected an exception");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()) == "cannot read secret file " + path + ": No such file or directory");
  }
}

BOOST_AUTO_TEST_CASE(directory_throws) {
  SecretDir dir;
  BOOST_CHECK_THROW(ReadSecretFile(dir.path().string(), false), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(environment_variable_is_read_and_trimmed) {
  ::setenv("FLUXSTATUS_SECRET_TEST_VALUE", "  tok3n\n", 1);
  BOOST_TEST(ReadSecretEnv("FLUXSTATUS_SECRET_TEST_VALUE", true).value_or("<unset>") == "tok3n");
  BOOST_TEST(ReadSecretEnv("FLUXSTATUS_SECRET_TEST_VALUE", false).value_or("<unset>") == "  tok3n\n");
  ::unsetenv("FLUXSTATUS_SECRET_TEST_VALUE");
  BOOST_TEST(!ReadSecretEnv("FLUXSTATUS_SECRET_TEST_VALUE", true).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::ingest
