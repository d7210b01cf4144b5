package io.sluice.processor;

import java.util.Map;

import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store in this replica together: one LRU cache holds the
 * block cache, the index and filter blocks, and (through the write buffer manager) the memtables, at
 * most {@value #BYTES_CONFIG} bytes for the whole process, however many stores and tasks it owns.
 * The pattern Kafka Streams documents for bounded memory.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {

    public static final String BYTES_CONFIG = "sluice.rocksdb.memory.bytes";

    private static Cache cache;
    private static WriteBufferManager writeBuffers;
    private static long memtableBytes;

    private static synchronized void ensure(long bytes) {
        if (cache == null) {
            // Half of the budget may go to memtables (a replica has a few hundred stores and segments, each with
            // its own); they count against the same cache.
            cache = new LRUCache(bytes, -1, false, 0.1);
            memtableBytes = bytes / 2;
            writeBuffers = new WriteBufferManager(memtableBytes, cache);
        }
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Object bytes = configs.get(BYTES_CONFIG);
        ensure(bytes == null ? 64L * 1024 * 1024 : ((Number) bytes).longValue());
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(writeBuffers);
        options.setTableFormatConfig(table);
        options.setMaxWriteBufferNumber(2);
        // Small memtables: many stores share the budget, and the write-back cache in front of each store already
        // coalesces a commit interval's updates.
        options.setWriteBufferSize(512L * 1024);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by every store: never closed per store.
    }
}
