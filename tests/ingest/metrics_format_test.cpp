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

BOOST_AUTO_TEST_SUITE(metrics_exposition)

BOOST_AUTO_TEST_CASE(unlabelled_series_and_the_four_sync_states_render_before_any_event) {
  IngestMetrics ingest;
  const std::string in = ingest.Render({});
  BOOST_TEST(in.find("# TYPE fluxstatus_events_unmatched_total counter\nfluxstatus_events_unmatched_total 0\n") !=
                 std::string::npos,
             in);
  BOOST_TEST(in.find("fluxstatus_ack_latency_seconds_bucket{le=\"+Inf\"} 0\n") != std::string::npos, in);
  fluxstatus::dispatch::DispatchMetrics dispatch;
  const std::string out = dispatch.Render();
  for (const char* state : {"pending", "synced", "failed", "skipped"}) {
    BOOST_TEST(out.find("fluxstatus_statuses{sync_state=\"" + std::string(state) + "\"} 0\n") != std::string::npos,
               out);
  }
  BOOST_TEST(out.find("fluxstatus_dispatch_pending 0\n") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(label_values_are_escaped_and_counts_add_up) {
  IngestMetrics metrics;
  metrics.Accepted("a\"b\\c");
  metrics.Accepted("a\"b\\c");
  metrics.Accepted("plain");
  metrics.AckLatency(0.003);
  const std::string text = metrics.Render({});
  BOOST_TEST(text.find(R"(fluxstatus_events_accepted_total{route="a\"b\\c"} 2)") != std::string::npos, text);
  BOOST_TEST(text.find("fluxstatus_ack_latency_seconds_bucket{le=\"0.0025\"} 0\n") != std::string::npos, text);
  BOOST_TEST(text.find("fluxstatus_ack_latency_seconds_bucket{le=\"0.005\"} 1\n") != std::string::npos, text);
  BOOST_TEST(metrics.accepted_total() == 3);
}

BOOST_AUTO_TEST_CASE(dispatch_attempts_are_read_without_creating_a_series) {
  fluxstatus::dispatch::DispatchMetrics metrics;
  metrics.Attempt("github.com", "retry");
  BOOST_TEST(metrics.attempts("github.com", "retry") == 1);
  BOOST_TEST(metrics.attempts("github.com", "delivered") == 0);
  BOOST_TEST(metrics.Render().find("delivered") == std::string::npos, metrics.Render());
}

BOOST_AUTO_TEST_SUITE_END()
