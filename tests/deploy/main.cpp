// The one translation unit that defines the Boost.Test module (and so main()) for deploy_tests.
#define BOOST_TEST_MODULE deploy_tests
#include <boost/test/unit_test.hpp>
