// /metrics prints numbers as Prometheus users read them: integers as integers, fractions
// without a double's last-digit noise.
#include <boost/test/unit_test.hpp>

#include "dispatch/dispatch_metrics.h"
#include "ingest/ingest_metrics.h"

using fluxstatus::ingest::Gauge;
using fluxstatus::ingest::IngestMetrics;

BOOST_AUTO_TEST_SUITE(metrics_format)

BOOST_AUTO_TEST_CASE(large_integers_print_as_integers_and_fractions_without_noise) {
  IngestMetrics metrics;
  const std::string text = metrics.Render({{"fluxstatus_database_size_bytes", "Bytes.", 1725660.0},
                                           {"fluxstatus_big", "A large count.", 123456789012.0},
                                           {"fluxstatus_fraction", "A sum.", 0.1 + 0.2}});
  BOOST_TEST(text.find("fluxstatus_database_size_bytes 1725660\n") != std::string::npos, text);
  BOOST_TEST(text.find("fluxstatus_big 123456789012\n") != std::string::npos, text);
  BOOST_TEST(text.find("fluxstatus_fraction 0.3\n") != std::string::npos, text);
  BOOST_TEST(text.find("e+") == std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(dispatch_ages_print_without_exponent) {
  fluxstatus::dispatch::DispatchMetrics metrics;
  metrics.Backlog(3, 7654321000);  // 7,654,321 s: a status waiting for about three months
  const std::string text = metrics.Render();
  BOOST_TEST(text.find("fluxstatus_dispatch_oldest_due_seconds 7654321\n") != std::string::npos, text);
}

BOOST_AUTO_TEST_SUITE_END()
