// The check of exercise ex02-paid-orders: the paid orders of data/orders with their amount
// (quantity x unit price, 2 decimals), read back from the Parquet files in out/paid_orders.
for (StreamingQuery q : spark.streams().active()) if ("paid_orders".equals(q.name())) q.processAllAvailable();

StructType paidOrdersColumns = new StructType().add("order_id", "long").add("customer", "string").add("amount", "double");
boolean paidOrdersWritten = java.nio.file.Files.isDirectory(java.nio.file.Path.of("out/paid_orders", "_spark_metadata"));

Check.named("Paid orders as Parquet files in out/paid_orders").named("ko", "out/paid_orders에 Parquet 파일로 쓴 결제된 주문")
    .result(paidOrdersWritten
        ? spark.read().parquet("out/paid_orders")
        : spark.createDataFrame(List.of(), paidOrdersColumns))
    .expect(spark.read().schema("order_id LONG, customer STRING, status STRING, quantity INT, unit_price DOUBLE").json(courseFile("exercises/data/orders"))
        .where(col("status").equalTo("paid"))
        .select(col("order_id"), col("customer"), round(col("quantity").multiply(col("unit_price")), 2).as("amount")))
    .columns("order_id", "customer", "amount")
    .hint(paidOrdersWritten ? "Keep only the rows whose status is \"paid\": .where(col(\"status\").equalTo(\"paid\"))."
        : "There are no Parquet files in out/paid_orders yet: use .format(\"parquet\").option(\"path\", \"out/paid_orders\").")
    .hint("ko", paidOrdersWritten ? "status가 \"paid\"인 행만 남기세요: .where(col(\"status\").equalTo(\"paid\"))."
        : "out/paid_orders에 아직 Parquet 파일이 없습니다. .format(\"parquet\").option(\"path\", \"out/paid_orders\")로 쓰세요.")
    .hint("A file sink needs its own checkpoint: .option(\"checkpointLocation\", \"checkpoints/paid_orders\").")
    .hint("ko", "파일 싱크에는 자기만의 체크포인트가 필요합니다: .option(\"checkpointLocation\", \"checkpoints/paid_orders\").")
