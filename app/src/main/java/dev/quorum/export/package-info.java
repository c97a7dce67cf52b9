/**
 * Exports the cluster's balancing to real proxies: a complete nginx or HAProxy configuration file
 * for a set of backends and one of Quorum's balancing strategies (docs/balancing.md).
 *
 * <p>A library with no I/O of its own beyond building strings: callers ({@code quorum export}, the
 * console) describe the backends in an {@link dev.quorum.export.ExportSpec} and write the text where
 * they like. Bad input is an {@link java.lang.IllegalArgumentException} whose message is meant for
 * the operator.
 */
package dev.quorum.export;
