// The one translation unit that defines the Boost.Test module (and so main()) for app_tests.
#define BOOST_TEST_MODULE app_tests
#include <boost/test/unit_test.hpp>
