import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';

/** What the `notes` column holds; NOTES_MAX_LENGTH may lower it. */
export const NOTE_COLUMN_LENGTH = 500;

/** The body of POST /api/notes and of the `notes:add` socket event. */
export class NoteDto {
  @IsString()
  @Length(1, NOTE_COLUMN_LENGTH)
  text: string;

  /** Listed to anyone when true; only to its account otherwise (the default). */
  @IsOptional()
  @IsBoolean()
  public?: boolean;
}
