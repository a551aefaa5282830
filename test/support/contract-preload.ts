// Loaded with `--import` into the servers the tests start (processes.ts): their responses are recorded
// for the contract check of the test file that started them (contract-setup.ts).
import { CONTRACT_RECORDS_ENV, recordToFolder } from './contract-recorder.ts';

const folder = process.env[CONTRACT_RECORDS_ENV];
if (folder !== undefined && folder !== '') recordToFolder(folder);
