package io.sluice.sink;

import io.sluice.clickhouse.ClickHouseEndpoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * A {@link TableWriter} through clickhouse-jdbc: one batched prepared insert per batch, on a
 * connection that is dropped and opened anew after a failure. Subclasses say how a record becomes
 * rows. Timestamps go as epoch-millisecond numbers (DateTime columns derive from them): the driver's
 * own timestamp encoding needs functions ClickHouse 18.16 lacks.
 */
abstract class JdbcTableWriter<T> implements TableWriter<T> {

    private final ClickHouseEndpoint endpoint;
    private final String insert;
    private Connection connection;

    JdbcTableWriter(ClickHouseEndpoint endpoint, String insert) {
        this.endpoint = endpoint;
        this.insert = insert;
    }

    /** Binds the rows of one record, calling {@code addBatch()} once per row; returns how many. */
    abstract int addRows(PreparedStatement statement, T record) throws SQLException;

    /** One row per record, unless a writer says otherwise (telemetry: one per reading). */
    @Override
    public int rowsOf(T record) {
        return 1;
    }

    @Override
    public int write(List<T> records) throws SQLException {
        try (PreparedStatement statement = connection().prepareStatement(insert)) {
            int rows = 0;
            for (T record : records) {
                rows += addRows(statement, record);
            }
            if (rows > 0) {
                statement.executeBatch();
            }
            return rows;
        } catch (SQLException e) {
            closeConnection();
            throw e;
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.jdbcProperties());
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // The connection is being dropped because it failed; a failure to close it adds nothing.
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        closeConnection();
    }
}
