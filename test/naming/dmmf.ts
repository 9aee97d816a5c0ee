/** Parses a Prisma schema offline through @prisma/internals' getDMMF (WASM, the validator Prisma uses). */
import internals from '@prisma/internals';

export const DATASOURCE = 'datasource db {\n  provider = "postgresql"\n}\n';

export interface ParsedModel {
  name: string;
  dbName: string | null;
  fields: { name: string; dbName: string | null }[];
}

export async function parseModels(models: string): Promise<ParsedModel[]> {
  const dmmf = await internals.getDMMF({ datamodel: DATASOURCE + models });
  return dmmf.datamodel.models.map((m) => ({
    name: m.name,
    dbName: m.dbName,
    fields: m.fields.map((f) => ({ name: f.name, dbName: f.dbName ?? null })),
  }));
}
