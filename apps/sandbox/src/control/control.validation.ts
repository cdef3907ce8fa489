import { ValidationPipe } from '@nestjs/common';

/**
 * Validates the control API's DTOs. Applied per controller, not globally: provider routes parse their own
 * wire format, and a global pipe would run on every provider request's parameters for nothing (a fifth
 * of getStatus throughput in the benchmark).
 */
export const controlValidation = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });
