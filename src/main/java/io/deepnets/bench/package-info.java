/** {@code deepnets bench}: training and inference throughput of the configs' networks, with the native set-up in use. */
package io.deepnets.bench;
