/** Suites: several experiments in order, skipped when already done, resumed when interrupted, checked against bands. */
package io.deepnets.suite;
