import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsNumber, IsString, Min, MinLength, ValidateNested } from 'class-validator';

export class CatalogProductDto {
  @ApiProperty({ example: '2878114402238236', description: "WhatsApp's product id: what a product message names." })
  @IsString()
  @MinLength(1)
  productId!: string;
  @ApiProperty({ example: 'Product Name' }) @IsString() @MinLength(1) title!: string;
  @ApiProperty({ example: 'Product Description' }) @IsString() description!: string;
  @ApiProperty({ example: 30, description: "In the currency's units (29.5 = 29.50)." }) @IsNumber({ maxDecimalPlaces: 3 }) @Min(0) price!: number;
  @ApiProperty({ example: 'TRY' }) @IsString() @MinLength(1) currency!: string;
  @ApiProperty({ example: 'https://example.com/images/2878114402238236.jpg' }) @IsString() image!: string;
  @ApiProperty({ example: 'https://example.com/products/2878114402238236' }) @IsString() url!: string;
  @ApiProperty({ example: 'SKU-1' }) @IsString() retailerId!: string;
}

export class PutCatalogDto {
  @ApiProperty({ type: [CatalogProductDto] })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CatalogProductDto)
  products!: CatalogProductDto[];
}

export class CatalogDto {
  @ApiProperty({ type: [CatalogProductDto] }) products!: CatalogProductDto[];
}
