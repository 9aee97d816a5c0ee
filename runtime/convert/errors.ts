import { BubbleError } from '../../core/errors.js';

/** A record without a non-empty string `_id` cannot become a row: there is nothing to upsert it by. */
export class RecordWithoutIdError extends BubbleError {
  constructor(typeName: string) {
    super(
      'RECORD_WITHOUT_ID',
      `A record of Bubble type ${JSON.stringify(typeName)} has no non-empty string "_id"; it cannot become a row.`,
      {
        hint: 'Records come from the Bubble Data API, which always sends "_id"; check where this record was built.',
      },
    );
  }
}
