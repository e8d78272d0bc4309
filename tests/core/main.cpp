// The one translation unit that defines the Boost.Test module (and so main()) for core_tests.
#define BOOST_TEST_MODULE core_tests
#include <boost/test/unit_test.hpp>
