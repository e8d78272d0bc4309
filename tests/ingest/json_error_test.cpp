// JsonErrorBody: one line, valid JSON, the message intact after a round trip.
#include "ingest/json_error.h"

#include <sstream>

#include <boost/test/unit_test.hpp>
#include <cereal/archives/json.hpp>

namespace fluxstatus::ingest {
namespace {

std::string ParseError(const std::string& body) {
  std::istringstream in(body);
  cereal::JSONInputArchive archive(in);
  std::string message;
  archive(cereal::make_nvp("error", message));
  return message;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(JsonErrorTest)

BOOST_AUTO_TEST_CASE(plain_message_is_a_single_line_object) {
  const std::string body = JsonErrorBody("too many connections");
  BOOST_TEST(body == R"({"error":"too many connections"})");
}

BOOST_AUTO_TEST_CASE(special_characters_round_trip_on_one_line) {
  const std::string message = "line 1\nline 2\t\"quoted\" \\ <b>&</b> Grüße ✓";
  const std::string body = JsonErrorBody(message);
  BOOST_TEST(body.find('\n') == std::string::npos);
  BOOST_TEST(body.find("\\n") != std::string::npos);
  BOOST_TEST(ParseError(body) == message);
}

BOOST_AUTO_TEST_CASE(empty_message_is_valid_json) { BOOST_TEST(ParseError(JsonErrorBody("")) == ""); }

BOOST_AUTO_TEST_SUITE_END()

}  // namespace fluxstatus::ingest
