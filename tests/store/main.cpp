// The one translation unit that defines the Boost.Test module (and so main()) for store_tests.
#define BOOST_TEST_MODULE store_tests
#include <boost/test/unit_test.hpp>
