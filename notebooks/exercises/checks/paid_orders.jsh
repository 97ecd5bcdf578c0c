// The check of exercise ex02-paid-orders: the paid orders of data/orders with their amount
// (quantity x unit price, 2 decimals), read back from the Parquet files in out/paid_orders.
for (StreamingQuery q : spark.streams().active()) if ("paid_orders".equals(q.name())) q.processAllAvailable();

StructType paidOrdersColumns = new StructType().add("order_id", "long").add("customer", "string").add("amount", "double");
boolean paidOrdersWritten = java.nio.file.Files.isDirectory(java.nio.file.Path.of("out/paid_orders", "_spark_metadata"));

Check.named("Paid orders as Parquet files in out/paid_orders")
    .result(paidOrdersWritten
        ? spark.read().parquet("out/paid_orders")
        : spark.createDataFrame(List.of(), paidOrdersColumns))
    .expect(spark.read().schema("order_id LONG, customer STRING, status STRING, quantity INT, unit_price DOUBLE").json(courseFile("exercises/data/orders"))
        .where(col("status").equalTo("paid"))
        .select(col("order_id"), col("customer"), round(col("quantity").multiply(col("unit_price")), 2).as("amount")))
    .columns("order_id", "customer", "amount")
    .hint(paidOrdersWritten ? "Keep only the rows whose status is \"paid\": .where(col(\"status\").equalTo(\"paid\"))."
        : "There are no Parquet files in out/paid_orders yet: use .format(\"parquet\").option(\"path\", \"out/paid_orders\").")
    .hint("A file sink needs its own checkpoint: .option(\"checkpointLocation\", \"checkpoints/paid_orders\").")
