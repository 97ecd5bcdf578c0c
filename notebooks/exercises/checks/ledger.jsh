// The check of exercise ex07-exactly-once-ledger: the totals per account in the H2 table totals must
// count every transfer of data/transfers exactly once, although batch 1 was written, the program
// crashed, and Spark replayed that batch after the restart.
Check.named("Totals per account, each transfer counted once")
    .result(spark.read().jdbc("jdbc:h2:./out/ledger/db", "totals", new java.util.Properties()))
    .expect(spark.read().schema("transfer_id LONG, account STRING, amount DECIMAL(10, 2)").json(courseFile("exercises/data/transfers"))
        .groupBy("account")
        .agg(sum("amount").as("total"), count("*").as("transfers")))
    .columns("account", "total", "transfers")
    .hint("Too much in some accounts? Those are the transfers of batch 1, written twice: before the crash and in the replay.")
    .hint("In writeBatch: db.setAutoCommit(false); if applied_batches has batchId, db.rollback() and return; "
        + "else addTransfers(db, batch), INSERT the batchId into applied_batches, db.commit().")
