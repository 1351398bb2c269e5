/** Live migration of a running guest between jvmm processes: the stream, the source and the destination. */
package dev.jvmm.machine.migration;
