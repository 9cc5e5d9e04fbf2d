# Sourced by the erasure benchmarks: the account plan's tables in order, and the same deletes as one
plan_tables="campaign_events campaign_recipients campaigns lead_scores messages leads contacts instagram_messages instagram_threads instagram_comments instagram_post_analytics instagram_connections calendar_events calendar_connections usage_events sessions profiles"

# write_erase_script FILE ACCOUNT
write_erase_script() {
    {
        echo "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; PRAGMA journal_mode = WAL;"
        echo "BEGIN;"
        for table in $plan_tables; do echo "DELETE FROM $table WHERE account_id = '$2';"; done
        echo "DELETE FROM accounts WHERE id = '$2';"
        echo "COMMIT;"
        echo "PRAGMA wal_checkpoint(TRUNCATE);"
    } > "$1"
}

# write_batched_erase_script FILE DB ACCOUNT [ROWS]: the same deletes as the eraser runs them, one write
# transaction per batch of ROWS (default 4,000: about the eraser's mean batch on the bench account, whose
# batches are sized to 50 ms) chosen through the table's account index, WAL checkpoints every 250 pages as
# in the service; DB is read for the row counts.
write_batched_erase_script() {
    local rows=${4:-4000} count
    {
        echo "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 250;"
        for table in $plan_tables; do
            count=$(sqlite3 "$2" "SELECT count(*) FROM $table WHERE account_id = '$3';")
            for _ in $(seq 0 "$rows" "$count"); do
                echo "BEGIN IMMEDIATE; DELETE FROM $table WHERE rowid IN (SELECT rowid FROM $table WHERE account_id = '$3' LIMIT $rows); COMMIT;"
            done
        done
        echo "DELETE FROM accounts WHERE id = '$3';"
        echo "PRAGMA wal_checkpoint(TRUNCATE);"
    } > "$1"
}

# account_rows DB ACCOUNT: the rows the plan erases (the account row included).
account_rows() {
    local sql="SELECT 1"
    for table in $plan_tables; do sql="$sql + (SELECT count(*) FROM $table WHERE account_id = '$2')"; done
    sqlite3 "$1" "$sql;"
}

# The service's side (the caller defines `cli`, an rpc-cli call on the server's port, and `field`).
# verified_request ACCOUNT: deletion.create (account scope), its code from the outbox, deletion.verifyIdentity;
# prints the request id.
verified_request() {
    local request code
    request=$(cli deletion.create accountId="$1" scope=account channel=support | field '["requestId"]')
    code=$(cli outbox.claim kinds:='["identity_code"]' | field '["messages"][0]["payload"]["code"]')
    cli deletion.verifyIdentity requestId="$request" code="$code" >/dev/null
    echo "$request"
}

# erase_until_done REQUEST: deletion.execute, then the status every 250 ms until the erasure ends; fails
# unless the request ends erased. Prints the seconds it took (to within the poll). The poll is light on
# purpose: an rpc-cli and a python3 every 20 ms took most of a core from the eraser it timed.
erase_until_done() {
    local start state
    start=$(date +%s.%N)
    state=$(cli deletion.execute requestId="$1" | sed -n 's/.*"state":"\([a-z_]*\)".*/\1/p')
    while [ "$state" = erasing ]; do
        sleep 0.25
        state=$(cli deletion.status requestId="$1" | sed -n 's/.*"state":"\([a-z_]*\)".*/\1/p')
    done
    [ "$state" = erased ] || { echo "erasure ended in state $state" >&2; return 1; }
    echo "$(date +%s.%N) - $start" | bc
}
