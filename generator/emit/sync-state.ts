/**
 * The sync-state models every generated schema gets: SyncJob (replacing the original plan's
 * SyncStatus, Task 3.4), SyncCursor (exactly the plan's Task 3.1 fields) and SyncPage (the page ledger
 * behind the watermark). The runtime writes them with raw SQL, so it supplies `id` and `updatedAt`
 * itself (Prisma Client's cuid()/@updatedAt do not fire for raw SQL).
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
  running      Boolean         @default(false)
  progress     Int             @default(0)
  currentTable String?         @map("current_table")
  lastSync     DateTime?       @map("last_sync")
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

  @@unique([tableName, syncJobId])
  @@index([status])
  @@index([syncJobId])
  @@map("${n.cursorTable}")
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
