// The check of exercise ex07-exactly-once-ledger: the totals per account in the H2 table totals must
// count every transfer of data/transfers exactly once, although batch 1 was written, the program
// crashed, and Spark replayed that batch after the restart.
Check.named("Totals per account, each transfer counted once").named("ko", "계좌별 합계, 이체마다 정확히 한 번")
    .result(spark.read().jdbc("jdbc:h2:./out/ledger/db", "totals", new java.util.Properties()))
    .expect(spark.read().schema("transfer_id LONG, account STRING, amount DECIMAL(10, 2)").json(courseFile("exercises/data/transfers"))
        .groupBy("account")
        .agg(sum("amount").as("total"), count("*").as("transfers")))
    .columns("account", "total", "transfers")
    .hint("Too much in some accounts? Those are the transfers of batch 1, written twice: before the crash and in the replay.")
    .hint("ko", "합계가 너무 큰 계좌가 있나요? 배치 1의 이체가 두 번 쓰였기 때문입니다. 한 번은 장애 전에, 또 한 번은 재생할 때.")
    .hint("In writeBatch: db.setAutoCommit(false); if applied_batches has batchId, db.rollback() and return; "
        + "else addTransfers(db, batch), INSERT the batchId into applied_batches, db.commit().")
    .hint("ko", "writeBatch에서 db.setAutoCommit(false)로 트랜잭션을 시작하고, applied_batches에 batchId가 이미 있으면 db.rollback() 후 return합니다. "
        + "없으면 addTransfers(db, batch)를 하고 batchId를 applied_batches에 INSERT한 다음 db.commit()합니다.")
