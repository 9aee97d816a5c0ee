/**
 * The sync-state models every generated schema gets: SyncJob (one row per job), SyncCursor (one row
 * per table of a job: progress, the keyset-window watermark and run counts), SyncPage (the page ledger
 * behind the watermark), SyncReject (records that could not be written to their table) and SyncEvent (the
 * database-trigger events `bubble-runtime listen` receives). The runtime writes them with raw SQL, so it
 * supplies `id` and `updatedAt` itself (Prisma Client's cuid()/@updatedAt do not fire for raw SQL).
 */
export interface SyncStateNames {
  jobModel: string;
  cursorModel: string;
  pageModel: string;
  statusEnum: string;
  jobStatusEnum: string;
  jobTable: string;
  cursorTable: string;
  pageTable: string;
  rejectModel: string;
  rejectTable: string;
  eventModel: string;
  eventTable: string;
}

export function syncStateNames(modelPrefix: string, tablePrefix: string): SyncStateNames {
  return {
    jobModel: `${modelPrefix}SyncJob`,
    cursorModel: `${modelPrefix}SyncCursor`,
    pageModel: `${modelPrefix}SyncPage`,
    statusEnum: `${modelPrefix}SyncCursorStatus`,
    jobStatusEnum: `${modelPrefix}SyncJobStatus`,
    jobTable: `${tablePrefix}sync_jobs`,
    cursorTable: `${tablePrefix}sync_cursors`,
    pageTable: `${tablePrefix}sync_pages`,
    rejectModel: `${modelPrefix}SyncReject`,
    rejectTable: `${tablePrefix}sync_rejects`,
    eventModel: `${modelPrefix}SyncEvent`,
    eventTable: `${tablePrefix}sync_events`,
  };
}

/** Prisma text of the sync-state models; the emitter runs all output through Prisma's formatter. */
export function renderSyncStateModels(n: SyncStateNames): string {
  return `model ${n.jobModel} {
  id           String          @id @default(cuid())
  status ${n.jobStatusEnum} @default(PENDING)
  mode         String          @default("full")
  /// JSON array of the Bubble type names this job covers, in load order.
  types        Json
  /// The Bubble app this job reads (normalised origin + path, e.g. …/version-test; never a token).
  /// Null for jobs written before it was recorded: those count as matching any app.
  appUrl       String?         @map("app_url")
  error        String?
  startedAt    DateTime?       @map("started_at")
  completedAt  DateTime?       @map("completed_at")
  createdAt    DateTime        @default(now()) @map("created_at")
  updatedAt    DateTime        @updatedAt @map("updated_at")

  @@index([status])
  @@map("${n.jobTable}")
}

model ${n.cursorModel} {
  id             String  @id @default(cuid())
  tableName      String
  bubbleDataType String  @map("bubble_data_type")
  currentCursor  Int  @default(0) @map("current_cursor")
  lastCursor     Int?  @map("last_cursor")
  totalRecords   Int?  @map("total_records")
  syncedRecords  Int  @default(0) @map("synced_records")
  status         ${n.statusEnum} @default(PENDING)
  startedAt      DateTime?  @map("started_at")
  completedAt    DateTime?  @map("completed_at")
  lastError      String?  @map("last_error")
  syncJobId      String  @map("sync_job_id")
  createdAt      DateTime  @default(now()) @map("created_at")
  updatedAt      DateTime  @updatedAt @map("updated_at")
  /// Keyset window the watermark is in (0, 1, …): windows start at a key and page by offset inside.
  windowIndex    Int  @default(0) @map("window_index")
  /// Key (ISO time of Created Date, or Modified Date for incremental) the current window starts at; null = the beginning.
  windowStart    String?  @map("window_start")
  /// Key the current window ends before (exclusive); null = open, the last window of the pass.
  windowEnd      String?  @map("window_end")
  /// Whether the current window's first page adds to reportedRecords (it opens a new stretch of keys).
  windowCounted  Boolean  @default(true) @map("window_counted")
  /// Bubble _id and key of the last record of the contiguous prefix of finished pages (the watermark).
  lastId         String?  @map("last_id")
  lastKey        String?  @map("last_key")
  /// Pages committed by this job for this table.
  pages          Int  @default(0)
  /// Records with values kept only in the unmapped/raw copy.
  rawOnly        Int  @default(0) @map("raw_only")
  /// Rows this job's completed full pass marked deleted.
  softDeleted    Int  @default(0) @map("soft_deleted")
  /// Records Bubble reported for the stretches of keys this pass read: checked against the rows it saw.
  reportedRecords Int  @default(0) @map("reported_records")
  /// Rows the full pass would have marked deleted but held back (more than the mass-deletion guard allows).
  heldBack       Int  @default(0) @map("held_back")
  /// Why: "guard" (more than the allowed share at once) or "incomplete" (fewer records seen than Bubble reported).
  heldBackReason String?  @map("held_back_reason")
  /// Strings stored with U+FFFD in place of characters PostgreSQL cannot hold (lone surrogates, NUL).
  replaced       Int  @default(0)

  @@unique([tableName, syncJobId])
  @@index([status])
  @@index([syncJobId])
  @@map("${n.cursorTable}")
}

/// The page ledger: one row per page a job committed, written in the same transaction as the page's rows.
/// The cursor's watermark only moves over a contiguous, overlap-verified run of these.
model ${n.pageModel} {
  id          String   @id @default(cuid())
  syncJobId   String   @map("sync_job_id")
  tableName   String   @map("table_name")
  windowIndex Int      @map("window_index")
  pageIndex   Int      @map("page_index")
  offset      Int
  records     Int
  rawOnly     Int      @default(0) @map("raw_only")
  firstId     String?  @map("first_id")
  lastId      String?  @map("last_id")
  lastKey     String?  @map("last_key")
  /// Records after this page as Bubble reported them (null: not counted).
  remaining   Int?
  startedAt   DateTime? @map("started_at")
  createdAt   DateTime @default(now()) @map("created_at")

  @@unique([syncJobId, tableName, windowIndex, pageIndex])
  @@map("${n.pageTable}")
}

/// Records kept here instead of their type's table, whole: records without a non-empty string "_id"
/// (nothing to key a row by) and records the database refused (its error in reason). Written in the
/// same transaction as the page they came with; one row per job, table and record.
model ${n.rejectModel} {
  id         String   @id @default(cuid())
  syncJobId  String   @map("sync_job_id")
  bubbleType String   @map("bubble_type")
  tableName  String   @map("table_name")
  /// The record's "_id" when it had one.
  bubbleId   String?  @map("bubble_id")
  /// The record as received, as JSON text (text rather than jsonb, so that a record the database's JSON
  /// parser refused is kept too), with the same replacements as _raw.
  raw        String
  reason     String
  createdAt  DateTime @default(now()) @map("created_at")

  @@index([syncJobId, tableName])
  @@map("${n.rejectTable}")
}

/// Database-trigger events received by \`bubble-runtime listen\`, one row per event as it arrived. PENDING
/// rows are applied (the record fetched by id, then written or marked deleted) oldest first; a failed
/// application stays PENDING with a later nextAttemptAt. APPLIED rows are kept for 7 days.
model ${n.eventModel} {
  id            BigInt    @id @default(autoincrement())
  /// The Bubble type as in the Data API path, and the record's unique id.
  bubbleType    String    @map("bubble_type")
  bubbleId      String    @map("bubble_id")
  /// "created", "modified" or "deleted", as Bubble sent it (applying asks Bubble for the record either way).
  event         String
  /// PENDING or APPLIED.
  status        String    @default("PENDING")
  attempts      Int       @default(0)
  nextAttemptAt DateTime  @default(now()) @map("next_attempt_at")
  lastError     String?   @map("last_error")
  receivedAt    DateTime  @default(now()) @map("received_at")
  appliedAt     DateTime? @map("applied_at")
  /// What applying did: "written", "deleted" (Bubble answered 404) or "absent" (404 and no row to mark).
  outcome       String?
  /// A sync job that was running when the event was applied: once it ends, the row is checked again.
  watchJobId    String?   @map("watch_job_id")

  @@index([status, nextAttemptAt])
  @@index([bubbleType, bubbleId])
  @@map("${n.eventTable}")
}

enum ${n.statusEnum} {
  PENDING
  IN_PROGRESS
  COMPLETED
  ERROR
  CANCELLED
}

enum ${n.jobStatusEnum} {
  PENDING
  RUNNING
  COMPLETED
  ERROR
  CANCELLED
}
`;
}
